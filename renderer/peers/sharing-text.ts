// Texts of the sharing controls (device roles on the Peers screen, the chart's sharing
// panel), in both languages. Kept here, beside the controls, until they move into the
// app dictionaries (renderer/i18n/en.ts and ar.ts) with the same keys prefixed "peers."/"chart.".
import type { Language, Vars } from '../i18n/translate';

export const sharingEn = {
  'role.label': 'Role',
  'role.clinic': 'Clinic device: every patient of the clinic',
  'role.field': 'Field device: patients of its teams who allow field copies',
  'role.hub': 'Regional hub: patients who consented to regional storage',
  'role.short.clinic': 'Clinic device',
  'role.short.field': 'Field device',
  'role.short.hub': 'Regional hub',
  'role.teams': 'Field teams',
  'role.teamsHint': 'Team ids separated by commas, for example T1, north-2',
  'role.noTeams': 'No team',
  'role.fieldWithoutTeam': 'A field device without a team receives no patients.',
  'role.edit': 'Role…',
  'role.save': 'Save role',
  'role.saved': '{name} is now: {role}. Other devices apply it at their next sync.',
  'sharing.title': 'Sharing with other devices',
  'sharing.teams': 'Field teams: {teams}',
  'sharing.noTeams': 'Not assigned to a field team.',
  'sharing.fieldCopies': 'Allows copies on field devices of these teams',
  'sharing.fieldRefused': 'Refused copies on field devices.',
  'sharing.regionalHub': 'Consented to storage at the regional hub',
  'sharing.hubConsented': 'Consented to storage at the regional hub.',
  'sharing.hubNoConsent': 'No consent to regional storage recorded.',
  'sharing.edit': 'Change sharing…',
  'sharing.save': 'Save sharing',
  'sharing.saved': 'Sharing saved. Each device applies it at its next sync.',
} as const;

export type SharingKey = keyof typeof sharingEn;
export type SharingDictionary = Readonly<Record<SharingKey, string>>;

export const sharingAr: SharingDictionary = {
  'role.label': 'الدور',
  'role.clinic': 'جهاز العيادة: جميع مرضى العيادة',
  'role.field': 'جهاز ميداني: مرضى فرقه الذين يسمحون بالنسخ الميدانية',
  'role.hub': 'المركز الإقليمي: المرضى الموافقون على التخزين الإقليمي',
  'role.short.clinic': 'جهاز العيادة',
  'role.short.field': 'جهاز ميداني',
  'role.short.hub': 'مركز إقليمي',
  'role.teams': 'الفرق الميدانية',
  'role.teamsHint': 'معرّفات الفرق مفصولة بفواصل، مثلاً T1, north-2',
  'role.noTeams': 'بلا فريق',
  'role.fieldWithoutTeam': 'الجهاز الميداني بلا فريق لا يستلم أي مريض.',
  'role.edit': 'الدور…',
  'role.save': 'حفظ الدور',
  'role.saved': 'أصبح {name}: {role}. تطبّقه الأجهزة الأخرى عند مزامنتها التالية.',
  'sharing.title': 'المشاركة مع الأجهزة الأخرى',
  'sharing.teams': 'الفرق الميدانية: {teams}',
  'sharing.noTeams': 'غير مخصص لأي فريق ميداني.',
  'sharing.fieldCopies': 'يسمح بنسخ على الأجهزة الميدانية لهذه الفرق',
  'sharing.fieldRefused': 'رفض النسخ على الأجهزة الميدانية.',
  'sharing.regionalHub': 'وافق على التخزين في المركز الإقليمي',
  'sharing.hubConsented': 'وافق على التخزين في المركز الإقليمي.',
  'sharing.hubNoConsent': 'لا توجد موافقة مسجلة على التخزين الإقليمي.',
  'sharing.edit': 'تغيير المشاركة…',
  'sharing.save': 'حفظ المشاركة',
  'sharing.saved': 'حُفظت المشاركة. يطبّقها كل جهاز عند مزامنته التالية.',
};

export const SHARING_DICTIONARIES: Readonly<Record<Language, SharingDictionary>> = { en: sharingEn, ar: sharingAr };

export interface SharingText {
  key: SharingKey;
  vars?: Vars;
}

export function sharingText(lang: Language, key: SharingKey, vars?: Vars): string {
  const text = SHARING_DICTIONARIES[lang][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
