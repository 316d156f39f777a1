// Name material for demo patients: common Iraqi given names and family/tribal
// names, with the Latin spellings staff would write on a referral.
export const MALE_NAMES: [string, string][] = [
  ['أحمد', 'Ahmed'], ['محمد', 'Mohammed'], ['علي', 'Ali'], ['حسين', 'Hussein'], ['حسن', 'Hassan'],
  ['عمر', 'Omar'], ['مصطفى', 'Mustafa'], ['كريم', 'Karim'], ['عباس', 'Abbas'], ['جعفر', 'Jaafar'],
  ['يوسف', 'Yousif'], ['إبراهيم', 'Ibrahim'], ['خالد', 'Khalid'], ['سجاد', 'Sajjad'], ['مرتضى', 'Murtadha'],
  ['زيد', 'Zaid'], ['حيدر', 'Haider'], ['منتظر', 'Muntadher'], ['سيف', 'Saif'], ['عبدالله', 'Abdullah'],
];
export const FEMALE_NAMES: [string, string][] = [
  ['فاطمة', 'Fatima'], ['زينب', 'Zainab'], ['مريم', 'Maryam'], ['نور', 'Noor'], ['سارة', 'Sara'],
  ['آمنة', 'Amna'], ['رقية', 'Ruqaya'], ['هدى', 'Huda'], ['إسراء', 'Israa'], ['دعاء', 'Duaa'],
  ['ليلى', 'Layla'], ['سلمى', 'Salma'], ['رنا', 'Rana'], ['شيماء', 'Shaimaa'], ['بتول', 'Batool'],
  ['أسماء', 'Asmaa'], ['حوراء', 'Hawraa'], ['منى', 'Muna'], ['سجى', 'Suja'], ['ضحى', 'Duha'],
];
export const FAMILY_NAMES: [string, string][] = [
  ['الجبوري', 'Al-Jubouri'], ['التميمي', 'Al-Tamimi'], ['الساعدي', 'Al-Saadi'], ['الدليمي', 'Al-Dulaimi'],
  ['العبيدي', 'Al-Obaidi'], ['الشمري', 'Al-Shammari'], ['الكعبي', 'Al-Kaabi'], ['الزبيدي', 'Al-Zubaidi'],
  ['الربيعي', 'Al-Rubaie'], ['الحسيني', 'Al-Husseini'], ['الموسوي', 'Al-Musawi'], ['العزاوي', 'Al-Azzawi'],
  ['الخفاجي', 'Al-Khafaji'], ['البياتي', 'Al-Bayati'], ['الطائي', 'Al-Taie'], ['المالكي', 'Al-Maliki'],
];
export const PLACES = ['البصرة', 'الناصرية', 'العمارة', 'الكوت', 'الديوانية', 'السماوة', 'الحلة', 'كربلاء', 'النجف', 'بعقوبة'];
export const ALLERGIES = ['Penicillin', 'Sulfonamides', 'Aspirin', 'Peanuts', 'Latex', 'Ibuprofen', 'Codeine'];
export const VISIT_REASONS = [
  'Fever and cough for three days',
  'Follow-up of hypertension',
  'Diabetes review',
  'Antenatal visit',
  'Diarrhoea in a child',
  'Shortness of breath',
  'Abdominal pain',
  'Wound dressing',
  'Vaccination',
  'Headache and dizziness',
];
export const NOTES = [
  'Chest clear on auscultation. Advised fluids and paracetamol. Review in 3 days if fever persists.',
  'BP controlled on amlodipine 5 mg. Continue, recheck in one month.',
  'HbA1c pending. Foot examination normal. Reinforced diet advice.',
  'Mild dehydration. ORS given, tolerated orally. Mother counselled on danger signs.',
  'المريض بحالة مستقرة. يُنصح بالراحة وشرب السوائل والمراجعة بعد أسبوع.',
  'ألم شرسوفي بعد الأكل. بدء أوميبرازول ٢٠ ملغ يومياً.',
  'Wheeze bilaterally, SpO2 improved after salbutamol nebuliser. Discharged with inhaler.',
  'Wound clean, no signs of infection. Dressing changed.',
];
