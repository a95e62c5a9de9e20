/**
 * Where API callers sit: countries with their main UTC offset, language and residential /
 * mobile carriers (real AS numbers), plus the big clouds and a few universities.
 */
export interface Country {
  code: string;
  weight: number;
  /** Main UTC offset in hours (standard time; the simulator ignores daylight saving). */
  tz: number;
  language: Language;
  isps: readonly number[];
  mobile: readonly number[];
}

export type Language =
  | 'en'
  | 'es'
  | 'de'
  | 'fr'
  | 'pt'
  | 'ja'
  | 'zh'
  | 'ko'
  | 'hi'
  | 'it'
  | 'ru'
  | 'tr'
  | 'pl'
  | 'nl'
  | 'vi'
  | 'id';

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US',
    weight: 30,
    tz: -6,
    language: 'en',
    isps: [7922, 20115, 701, 7018, 22773, 20001],
    mobile: [21928, 22394],
  },
  {
    code: 'IN',
    weight: 9,
    tz: 5.5,
    language: 'en',
    isps: [55836, 24560, 45609, 9829],
    mobile: [55836, 45271],
  },
  { code: 'GB', weight: 6, tz: 0, language: 'en', isps: [2856, 5089, 5607, 13285], mobile: [12576, 25135] },
  { code: 'DE', weight: 6, tz: 1, language: 'de', isps: [3320, 3209, 6805, 8881], mobile: [6805, 3320] },
  {
    code: 'BR',
    weight: 5,
    tz: -3,
    language: 'pt',
    isps: [18881, 28573, 26599, 8167],
    mobile: [26615, 26599],
  },
  { code: 'FR', weight: 4, tz: 1, language: 'fr', isps: [3215, 12322, 5410, 15557], mobile: [51207, 3215] },
  { code: 'CA', weight: 4, tz: -5, language: 'en', isps: [812, 577, 852, 5769], mobile: [812, 22652] },
  { code: 'JP', weight: 4, tz: 9, language: 'ja', isps: [4713, 2516, 17676, 2527], mobile: [9605, 2516] },
  { code: 'KR', weight: 2.5, tz: 9, language: 'ko', isps: [4766, 9318, 3786], mobile: [9644, 4766] },
  { code: 'ES', weight: 2.5, tz: 1, language: 'es', isps: [3352, 12479, 12430], mobile: [12430, 3352] },
  { code: 'MX', weight: 2.5, tz: -6, language: 'es', isps: [8151, 28548, 17072], mobile: [28403, 8151] },
  { code: 'IT', weight: 2, tz: 1, language: 'it', isps: [3269, 30722, 12874], mobile: [30722, 1267] },
  { code: 'NL', weight: 2, tz: 1, language: 'nl', isps: [1136, 33915, 50266], mobile: [1136, 31615] },
  { code: 'AU', weight: 2, tz: 10, language: 'en', isps: [1221, 4739, 7545], mobile: [1221, 4804] },
  { code: 'PL', weight: 1.5, tz: 1, language: 'pl', isps: [5617, 12741, 29314], mobile: [12912, 5617] },
  { code: 'TR', weight: 1.5, tz: 3, language: 'tr', isps: [9121, 34984, 47331], mobile: [15897, 9121] },
  { code: 'ID', weight: 1.5, tz: 7, language: 'id', isps: [7713, 17974, 23693], mobile: [23693, 4761] },
  { code: 'VN', weight: 1.2, tz: 7, language: 'vi', isps: [7552, 45899, 18403], mobile: [7552, 45899] },
  { code: 'PH', weight: 1, tz: 8, language: 'en', isps: [9299, 132199, 10139], mobile: [132199, 9299] },
  { code: 'NG', weight: 1, tz: 1, language: 'en', isps: [29465, 36873, 37148], mobile: [29465, 36873] },
  { code: 'SG', weight: 1, tz: 8, language: 'en', isps: [7473, 9506, 4773], mobile: [4773, 7473] },
  { code: 'UA', weight: 0.8, tz: 2, language: 'ru', isps: [15895, 13188, 6849], mobile: [15895, 21497] },
  { code: 'TW', weight: 1, tz: 8, language: 'zh', isps: [3462, 4780, 9924], mobile: [3462, 9924] },
  { code: 'SE', weight: 0.8, tz: 1, language: 'en', isps: [3301, 2119, 39651], mobile: [3301, 1257] },
  { code: 'CH', weight: 0.7, tz: 1, language: 'de', isps: [3303, 6730, 15796], mobile: [3303, 15796] },
  { code: 'AR', weight: 0.8, tz: -3, language: 'es', isps: [7303, 22927, 10318], mobile: [7303, 27747] },
  { code: 'PT', weight: 0.6, tz: 0, language: 'pt', isps: [3243, 2860, 12353], mobile: [12353, 3243] },
  { code: 'IL', weight: 0.7, tz: 2, language: 'en', isps: [8551, 1680, 12400], mobile: [12400, 8551] },
];

export function countryByCode(code: string): Country {
  const c = COUNTRIES.find((x) => x.code === code);
  if (!c) throw new Error(`unknown country ${code}`);
  return c;
}

/** Cloud and hosting networks, with the region each is usually reached from. */
export interface Cloud {
  asn: number;
  name: string;
  countries: readonly string[];
  weight: number;
}

export const CLOUDS: readonly Cloud[] = [
  { asn: 16509, name: 'aws', countries: ['US', 'US', 'US', 'IE', 'DE', 'JP', 'SG', 'IN'], weight: 30 },
  { asn: 14618, name: 'aws-us-east', countries: ['US'], weight: 10 },
  { asn: 15169, name: 'google', countries: ['US', 'US', 'BE', 'NL', 'JP', 'TW'], weight: 10 },
  { asn: 396982, name: 'google-cloud', countries: ['US', 'US', 'DE', 'SG'], weight: 10 },
  { asn: 8075, name: 'azure', countries: ['US', 'US', 'NL', 'IE', 'GB', 'JP'], weight: 14 },
  { asn: 14061, name: 'digitalocean', countries: ['US', 'DE', 'NL', 'SG', 'GB', 'IN'], weight: 7 },
  { asn: 24940, name: 'hetzner', countries: ['DE', 'FI', 'DE', 'US'], weight: 6 },
  { asn: 16276, name: 'ovh', countries: ['FR', 'FR', 'CA', 'DE', 'PL'], weight: 4 },
  { asn: 13335, name: 'cloudflare', countries: ['US', 'DE', 'GB', 'JP'], weight: 4 },
  { asn: 63949, name: 'akamai-linode', countries: ['US', 'DE', 'JP', 'SG'], weight: 3 },
  { asn: 31898, name: 'oracle', countries: ['US', 'JP', 'DE'], weight: 2 },
  { asn: 20473, name: 'vultr', countries: ['US', 'JP', 'NL', 'SG'], weight: 2 },
];

export interface University {
  asn: number;
  domain: string;
  country: string;
}

export const UNIVERSITIES: readonly University[] = [
  { asn: 3, domain: 'mit.edu', country: 'US' },
  { asn: 32, domain: 'stanford.edu', country: 'US' },
  { asn: 25, domain: 'berkeley.edu', country: 'US' },
  { asn: 786, domain: 'ox.ac.uk', country: 'GB' },
  { asn: 680, domain: 'tum.de', country: 'DE' },
  { asn: 2200, domain: 'sorbonne-universite.fr', country: 'FR' },
  { asn: 2907, domain: 'u-tokyo.ac.jp', country: 'JP' },
  { asn: 559, domain: 'ethz.ch', country: 'CH' },
  { asn: 7575, domain: 'unimelb.edu.au', country: 'AU' },
  { asn: 1103, domain: 'uva.nl', country: 'NL' },
  { asn: 3582, domain: 'uoregon.edu', country: 'US' },
  { asn: 11537, domain: 'umich.edu', country: 'US' },
];
