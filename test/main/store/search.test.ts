// Patient search: Arabic normalisation, FTS5 query building that cannot be injected,
// and end-to-end search through ChartStore.register + searchPatients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatientSummary } from '../../../main/api';
import { searchPatients } from '../../../main/store/charts/projection';
import { ftsPrefixQuery, normalizeForSearch, searchTokens } from '../../../main/store/search/normalize';
import { samplePatient, useSharedCharts } from '../../helpers/store';

// A list of quoted prefix tokens joined by AND; for a number typed in groups, the joined
// digits OR that list. Nothing else: no bare operator, column filter or stray quote.
const AND_LIST = '"[\\p{L}\\p{N}]+"\\*( AND "[\\p{L}\\p{N}]+"\\*)*';
const SAFE_MATCH = new RegExp(`^(${AND_LIST}|"\\d+"\\* OR \\(${AND_LIST}\\))$`, 'u');

describe('normalizeForSearch', () => {
  it('folds the alef forms أ إ آ ٱ to ا', () => {
    expect(normalizeForSearch('\u0623\u0625\u0622\u0671')).toBe('\u0627\u0627\u0627\u0627');
    expect(normalizeForSearch('أحمد')).toBe('احمد');
    expect(normalizeForSearch('إبراهيم')).toBe('ابراهيم');
    expect(normalizeForSearch('آمنة')).toBe('امنه');
    expect(normalizeForSearch('ٱلله')).toBe('الله');
  });

  it('folds taa marbuta ة to ه and alef maqsura ى to ي', () => {
    expect(normalizeForSearch('فاطمة')).toBe('فاطمه');
    expect(normalizeForSearch('مصطفى')).toBe('مصطفي');
    expect(normalizeForSearch('فاطمة')).toBe(normalizeForSearch('فاطمه'));
    expect(normalizeForSearch('مصطفى')).toBe(normalizeForSearch('مصطفي'));
  });

  it('removes fatha, damma, kasra, shadda, sukun, tanween and superscript alef', () => {
    expect(normalizeForSearch('مُحَمَّد')).toBe('محمد'); // damma, fatha, shadda
    expect(normalizeForSearch('إِبْرَاهِيم')).toBe('ابراهيم'); // kasra, sukun
    expect(normalizeForSearch('شُكْرًا')).toBe('شكرا'); // fathatan
    expect(normalizeForSearch('كِتَابٌ')).toBe('كتاب'); // dammatan
    expect(normalizeForSearch('بَيْتٍ')).toBe('بيت'); // kasratan
    expect(normalizeForSearch('رحمٰن')).toBe('رحمن'); // superscript alef
    for (const mark of ['\u064B', '\u064C', '\u064D', '\u064E', '\u064F', '\u0650', '\u0651', '\u0652']) {
      expect(normalizeForSearch(`س${mark}ل`)).toBe('سل');
    }
  });

  it('removes tatweel', () => {
    expect(normalizeForSearch('محـــمد')).toBe('محمد');
    expect(normalizeForSearch('عـلـي')).toBe('علي');
  });

  it('turns Arabic-Indic and Eastern Arabic-Indic digits into ASCII digits', () => {
    expect(normalizeForSearch('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(normalizeForSearch('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(normalizeForSearch('+٩٦٤ ٧٧٠')).toBe('+964 770');
  });

  it('folds the other variants (Persian yeh, hamza carriers, keheh) and lower-cases Latin', () => {
    expect(normalizeForSearch('\u06CC')).toBe('ي');
    expect(normalizeForSearch('مؤمن')).toBe('مومن');
    expect(normalizeForSearch('هانئ')).toBe('هاني');
    expect(normalizeForSearch('\u06A9')).toBe('ك');
    expect(normalizeForSearch('Ahmed ALI')).toBe('ahmed ali');
  });

  it('is idempotent and leaves plain letters alone', () => {
    const samples = ['أَحْمَد عَلِيّ', 'فاطمة الزهراء', 'Mustafa Kadhim', '٠٧٧٠ ١٢٣'];
    for (const s of samples) expect(normalizeForSearch(normalizeForSearch(s))).toBe(normalizeForSearch(s));
    expect(normalizeForSearch('سلام')).toBe('سلام');
  });
});

describe('ftsPrefixQuery', () => {
  it('makes every token a quoted prefix, joined by AND', () => {
    expect(ftsPrefixQuery('أحمد علي')).toBe('"احمد"* AND "علي"*');
    expect(ftsPrefixQuery('Ahmed')).toBe('"ahmed"*');
    expect(searchTokens('  أَحْمَد,علي;  ')).toEqual(['احمد', 'علي']);
  });

  it('treats a number typed in groups as one number, or its parts', () => {
    expect(ftsPrefixQuery('0770 123-45')).toBe('"077012345"* OR ("0770"* AND "123"* AND "45"*)');
    expect(ftsPrefixQuery('+964 (770) 123')).toBe('"964770123"* OR ("964"* AND "770"* AND "123"*)');
    expect(ftsPrefixQuery('07701234567')).toBe('"07701234567"*');
    expect(ftsPrefixQuery('٠٧٧٠ ١٢٣')).toBe('"0770123"* OR ("0770"* AND "123"*)');
    expect(ftsPrefixQuery('0770 123-45')).toMatch(SAFE_MATCH);
  });

  it('returns null when nothing searchable remains', () => {
    for (const q of ['', '   ', '"', '*', '()', '"*" ()', '\u064E\u0651', 'ـــ']) expect(ftsPrefixQuery(q)).toBeNull();
  });

  it('never lets FTS5 syntax through: quotes, NEAR, *, parentheses, column filters, ^, +, -', () => {
    const nasty = [
      'ahmed"',
      '"ahmed" OR "ali"',
      'NEAR(ahmed ali, 2)',
      'ahmed*',
      '*ahmed',
      '(ahmed OR ali',
      'names:ahmed',
      '{names identifiers}: ahmed',
      'patient_id:1',
      '^ahmed',
      '+ahmed -ali',
      'ahmed AND',
      'NOT ali',
      "ahmed' OR 1=1 --",
      'a"b"c',
    ];
    for (const q of nasty) {
      const m = ftsPrefixQuery(q);
      expect(m).not.toBeNull();
      expect(m!).toMatch(SAFE_MATCH);
    }
    // Operator words become plain (quoted) tokens, not operators.
    expect(ftsPrefixQuery('NEAR(ahmed ali)')).toBe('"near"* AND "ahmed"* AND "ali"*');
    expect(ftsPrefixQuery('names:ahmed')).toBe('"names"* AND "ahmed"*');
  });

  it('for any input at all, returns null or a safe expression (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const m = ftsPrefixQuery(s);
        return m === null || SAFE_MATCH.test(m);
      }),
      { numRuns: 500 },
    );
  });

  it('limits a query to 8 tokens', () => {
    const m = ftsPrefixQuery('a b c d e f g h i j k');
    expect(m!.split(' AND ')).toHaveLength(8);
  });
});

describe('searching registered patients', () => {
  const ids: Record<string, PatientSummary> = {};
  const shared = useSharedCharts(async ({ charts }) => {
    ids.ahmed = await charts.register(samplePatient(), 'test-user');
    ids.fatima = await charts.register(
      samplePatient({
        givenName: 'فاطمة',
        fatherName: 'حسن',
        familyName: 'الموسوي',
        latinName: 'Fatima Hassan Al-Musawi',
        sex: 'female',
        birthDate: '1990-07-01',
        phone: '0781 555 0000',
        nationalId: 'IQ-19900701-12',
      }),
      'test-user',
    );
    ids.mustafa = await charts.register(
      samplePatient({
        givenName: 'مصطفى',
        fatherName: undefined,
        familyName: 'كاظم',
        latinName: 'Mustafa Kadhim',
        phone: undefined,
        nationalId: '2001-1231-55',
        birthDate: '2001-12-31',
      }),
      'test-user',
    );
  });

  const find = (q: string) => searchPatients(shared().store.db, q, 25).map((p) => p.id);

  it('finds أحمد علي by احمد, أحمد, إحمد, علي, a prefix, with diacritics or tatweel', () => {
    for (const q of ['احمد', 'أحمد', 'إحمد', 'علي', 'احم', 'اح', 'أَحْمَد', 'احـــمد', 'احمد علي', 'علي احمد', 'محمد']) {
      expect(find(q), q).toEqual([ids.ahmed!.id]);
    }
  });

  it('finds by the Latin name, any case, by prefix, several words', () => {
    for (const q of ['Ahmed', 'ahmed', 'AHMED', 'Ahm', 'ahmed ali', 'Mohammed'])
      expect(find(q), q).toEqual([ids.ahmed!.id]);
    expect(find('fatima')).toEqual([ids.fatima!.id]);
    expect(find('al-musawi')).toEqual([ids.fatima!.id]);
  });

  it('finds by MRN, whole or by its number', () => {
    const mrn = ids.ahmed!.mrn;
    expect(find(mrn)).toEqual([ids.ahmed!.id]);
    expect(find(mrn.toLowerCase())).toEqual([ids.ahmed!.id]);
    expect(find(mrn.split('-')[1]!)).toEqual([ids.ahmed!.id]);
    expect(find(ids.fatima!.mrn)).toEqual([ids.fatima!.id]);
    // The device prefix alone matches every patient of this device.
    expect(find(mrn.split('-')[0]!).sort()).toEqual([ids.ahmed!.id, ids.fatima!.id, ids.mustafa!.id].sort());
  });

  it('finds a number registered in international form (+964 770 123 4567) by every form staff type', () => {
    for (const q of ['+9647701234567', '9647701234567', '07701234567', '0770123', '٠٧٧٠١٢٣٤٥٦٧', '+٩٦٤٧٧٠١٢٣٤٥٦٧']) {
      expect(find(q), q).toEqual([ids.ahmed!.id]);
    }
  });

  it('finds a number registered in local form (0781 555 0000) by local and international forms', () => {
    for (const q of ['07815550000', '0781555', '+9647815550000', '9647815550000'])
      expect(find(q), q).toEqual([ids.fatima!.id]);
  });

  it('finds a number typed in groups, with spaces, dashes or brackets', () => {
    for (const q of ['0770 123 4567', '+964 770 123 4567', '0770-123-4567', '+964 (770) 123', '٠٧٧٠ ١٢٣ ٤٥٦٧'])
      expect(find(q), q).toEqual([ids.ahmed!.id]);
    for (const q of ['0781 555 0000', '+964 781 555 0000']) expect(find(q), q).toEqual([ids.fatima!.id]);
  });

  it('finds by national ID, whole or by its number, also an all-digit ID written with dashes', () => {
    expect(find('IQ-19850314-77')).toEqual([ids.ahmed!.id]);
    expect(find('19850314')).toEqual([ids.ahmed!.id]);
    expect(find('iq-19900701-12')).toEqual([ids.fatima!.id]);
    expect(find('2001-1231-55')).toEqual([ids.mustafa!.id]);
    expect(find('2001 1231')).toEqual([ids.mustafa!.id]);
    expect(find('2001')).toEqual([ids.mustafa!.id]);
  });

  it('فاطمه finds فاطمة, and مصطفي finds مصطفى', () => {
    expect(find('فاطمه')).toEqual([ids.fatima!.id]);
    expect(find('فاطمة')).toEqual([ids.fatima!.id]);
    expect(find('مصطفي')).toEqual([ids.mustafa!.id]);
    expect(find('مصطفى')).toEqual([ids.mustafa!.id]);
    expect(find('مُصْطَفَى كاظم')).toEqual([ids.mustafa!.id]);
  });

  it('finds nothing for unrelated queries', () => {
    for (const q of ['يوسف', 'zainab', 'احمد كاظم', '07709999999', '1234567890', 'ahmed fatima', 'xyz']) {
      expect(find(q), q).toEqual([]);
    }
  });

  it('returns the newest patients for an empty query, within the limit', () => {
    const all = searchPatients(shared().store.db, '', 25);
    expect(all.map((p) => p.id).sort()).toEqual([ids.ahmed!.id, ids.fatima!.id, ids.mustafa!.id].sort());
    expect(searchPatients(shared().store.db, '  ', 2)).toHaveLength(2);
    expect(searchPatients(shared().store.db, 'ا', 1)).toHaveLength(1);
  });

  it('never throws on FTS5 syntax or any other input', () => {
    const db = shared().store.db;
    for (const q of [
      '"',
      '"ahmed',
      'NEAR(ahmed ali)',
      '*',
      'ahmed*',
      '(',
      ')',
      'names:احمد',
      'identifiers:x',
      '^a',
      'AND',
      'OR NOT',
      "'",
      '\u0000',
      '\\',
    ]) {
      expect(() => searchPatients(db, q, 10), q).not.toThrow();
    }
    expect(searchPatients(db, 'ahmed*', 10).map((p) => p.id)).toEqual([ids.ahmed!.id]);
    expect(searchPatients(db, '"أحمد"', 10).map((p) => p.id)).toEqual([ids.ahmed!.id]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (q) => {
        searchPatients(db, q, 5);
      }),
      { numRuns: 300 },
    );
  });

  it('returns complete summaries', () => {
    const [p] = searchPatients(shared().store.db, 'احمد', 1);
    expect(p).toMatchObject({
      givenName: 'أحمد',
      fatherName: 'محمد',
      familyName: 'علي',
      latinName: 'Ahmed Mohammed Ali',
      sex: 'male',
      birthDate: '1985-03-14',
      phone: '+964 770 123 4567',
      nationalId: 'IQ-19850314-77',
    });
  });
});
