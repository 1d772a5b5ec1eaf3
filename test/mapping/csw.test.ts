import t from 'tap';
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/model/project-root.js';
import { all, parseXmlDocument, type XmlElement } from '../../src/mapping/xml-elements.js';
import { mapCswDublinCore } from '../../src/mapping/csw-dc.js';
import { mapIso19139 } from '../../src/mapping/iso19139.js';
import type { MappingResult, NationalRecord } from '../../src/model/record.js';
import { recordViolations } from '../helpers/dcat-ap.js';

const xml = (name: string): XmlElement => parseXmlDocument(readFileSync(projectPath('test', 'fixtures', 'csw', name), 'utf8'));
const dcRecords = (name: string): XmlElement[] => all(xml(name), 'csw:SearchResults/csw:Record');

/** `field rule`, with `(warning)` for warnings: the issues of one mapping, in order. */
function issues(result: MappingResult): string[] {
  return result.issues.map((issue) => `${issue.field} ${issue.rule}${issue.severity === 'warning' ? ' (warning)' : ''}`);
}

/** The standard's required dataset fields, in the validator's order. */
const REQUIRED = [
  'categoryCode',
  'description',
  'fieldDescription',
  'type',
  'license',
  'licenseURL',
  'cost',
  'accrualPeriodicity',
  'organization',
  'organizationContactName',
  'organizationContactPhone',
  'organizationContactEmail',
  'publisher',
  'publisherContactName',
  'publisherContactPhone',
  'publisherContactEmail',
];

/**
 * The issues of a record the source leaves without the `missing` fields; a non-national
 * identifier (urn:uuid:…, a file id) always breaks the identifier pattern. `then` are the
 * per-distribution issues that follow.
 */
function expected(missing: string[], then: string[] = []): string[] {
  for (const field of missing) if (!REQUIRED.includes(field)) throw new Error(`not a required field: ${field}`);
  return [...REQUIRED.filter((field) => missing.includes(field)).map((field) => `${field} required`), 'identifier pattern', ...then];
}

/** Fields neither CSW Dublin Core nor ISO 19139 have: the national classification, 上級機關 and cost. */
const NEVER_IN_CSW = [
  'categoryCode',
  'fieldDescription',
  'cost',
  'organization',
  'organizationContactName',
  'organizationContactPhone',
  'organizationContactEmail',
];

function record(result: MappingResult): NationalRecord {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.record;
}

t.test('pycsw Dublin Core records: field by field, exact validation issues, DCAT-AP', async (t) => {
  const [noTitle1, noTitle2, noTitle3, aliquam, fusce, loremIpsum, loremIpsumDolor, maecenas, mauris, utFacilisis] =
    dcRecords('default_get_GetRecords-sortby-asc.xml');

  for (const untitled of [noTitle1, noTitle2, noTitle3]) {
    t.same(
      mapCswDublinCore(untitled),
      { ok: false, issues: [{ field: 'title', rule: 'required', message: 'title is required as a non-empty string; it is missing', severity: 'error' }] },
      'no dc:title: rejected',
    );
  }

  const aliquamResult = mapCswDublinCore(aliquam);
  t.same(
    record(aliquamResult),
    {
      identifier: 'urn:uuid:784e2afd-a9fd-44a6-9a92-a3848371c8ec',
      title: 'Aliquam fermentum purus quis arcu',
      description: 'Vestibulum quis ipsum sit amet metus imperdiet vehicula. Nulla scelerisque cursus mi.',
      keyword: ['Hydrography--Dictionaries'],
      issued: '2006-05-12',
      extensions: { sourceVocabulary: 'csw-dc', sourceExtras: { 'dc:type': 'http://purl.org/dc/dcmitype/Text', 'dc:format': 'application/pdf' } },
    },
    'dc:date → issued; a DCMI Text type has no national type and stays in extras, with dc:format (no link to attach it to)',
  );
  // Text has no national type; no licence, frequency or publisher in the record.
  const textRecord = expected([
    ...NEVER_IN_CSW,
    'type',
    'license',
    'licenseURL',
    'accrualPeriodicity',
    'publisher',
    'publisherContactName',
    'publisherContactPhone',
    'publisherContactEmail',
  ]);
  t.same(issues(aliquamResult), textRecord);
  t.same(issues(mapCswDublinCore(fusce)), textRecord);
  t.same(issues(mapCswDublinCore(loremIpsum)), textRecord, 'Image has no national type either');
  t.same(issues(mapCswDublinCore(maecenas)), textRecord);
  t.same(record(mapCswDublinCore(loremIpsum)).spatial, 'GR-22', 'dct:spatial is the spatial value when there is no bounding box');

  const noAbstract = expected([
    ...NEVER_IN_CSW,
    'description',
    'type',
    'license',
    'licenseURL',
    'accrualPeriodicity',
    'publisher',
    'publisherContactName',
    'publisherContactPhone',
    'publisherContactEmail',
  ]);
  t.same(issues(mapCswDublinCore(loremIpsumDolor)), noAbstract, 'no dct:abstract either');

  const dataset = expected([
    ...NEVER_IN_CSW,
    'license',
    'licenseURL',
    'accrualPeriodicity',
    'publisher',
    'publisherContactName',
    'publisherContactPhone',
    'publisherContactEmail',
  ]);
  const maurisResult = mapCswDublinCore(mauris);
  t.same(issues(maurisResult), dataset, 'Dataset → rawData');
  t.equal(
    record(maurisResult).spatial,
    '{"type":"Polygon","coordinates":[[[-4.097,47.595],[0.889,47.595],[0.889,51.217],[-4.097,51.217],[-4.097,47.595]]]}',
    'EPSG:4326 corners are latitude first',
  );

  const service = mapCswDublinCore(utFacilisis);
  t.same(record(service), {
    identifier: 'urn:uuid:6a3de50b-fa66-4b58-a0e6-ca146fdd18d4',
    title: 'Ut facilisis justo ut lacus',
    keyword: ['Vegetation'],
    type: 'SERVICES',
    extensions: {
      sourceVocabulary: 'csw-dc',
      sourceExtras: {
        'dc:subject': [{ subject: 'Vegetation', scheme: 'http://www.digest.org/2.1' }],
        'dc:relation': 'urn:uuid:94bc9c83-97f6-4b40-9eb8-a8e8787a5c63',
      },
    },
  });
  t.same(
    issues(service),
    expected([
      ...NEVER_IN_CSW,
      'description',
      'license',
      'licenseURL',
      'accrualPeriodicity',
      'publisher',
      'publisherContactName',
      'publisherContactPhone',
      'publisherContactEmail',
    ]),
  );

  // DCAT-AP: only records without an abstract break a shape (dct:description is mandatory there too).
  t.same(await recordViolations(record(aliquamResult)), []);
  t.same(await recordViolations(record(maurisResult)), []);
  t.same(await recordViolations(record(service)), ['dct:description MinCount'], 'the catalogue sent no abstract');
});

t.test('a harvested WMS in Dublin Core: references → distributions, creator and contributor kept', async (t) => {
  const iem = dcRecords('harvesting_post_Harvest-zzz-post-GetRecords-filter-wms-dc.xml')[3]!;
  const result = mapCswDublinCore(iem);
  t.same(
    record(result),
    {
      identifier: 'PYCSW_IDENTIFIER',
      title: 'IEM WMS Service',
      description: 'IEM generated CONUS composite of NWS WSR-88D level III base reflectivity.',
      type: 'SERVICES',
      publisher: 'Iowa State University',
      license: 'None',
      spatial: '{"type":"Polygon","coordinates":[[[-126,24],[-66,24],[-66,50],[-126,50],[-126,24]]]}',
      distribution: [
        {
          resourceID: 'PYCSW_IDENTIFIER-001',
          extensions: { resourceIDSynthesised: true },
          format: 'WMS',
          accessURL: 'http://mesonet.agron.iastate.edu/cgi-bin/wms/nexrad/n0r-t.cgi',
        },
      ],
      extensions: {
        sourceVocabulary: 'csw-dc',
        sourceExtras: {
          'dct:references': [{ url: 'http://mesonet.agron.iastate.edu/cgi-bin/wms/nexrad/n0r-t.cgi', scheme: 'OGC:WMS' }],
          'dc:creator': 'Daryl Herzmann',
          'dc:contributor': 'Daryl Herzmann',
          'dc:source': 'http://mesonet.agron.iastate.edu/cgi-bin/wms/nexrad/n0r-t.cgi',
          'dct:spatial': { '@scheme': 'http://www.opengis.net/def/crs', '#text': 'urn:ogc:def:crs:EPSG:6.11:4326' },
        },
      },
    },
    'dc:format WMS is used once as the record format; dc:rights "None" is the licence text as sent',
  );
  // A link has no description in Dublin Core: each distribution lacks resourceDescription.
  t.same(
    issues(result),
    expected(
      [...NEVER_IN_CSW, 'licenseURL', 'accrualPeriodicity', 'publisherContactName', 'publisherContactPhone', 'publisherContactEmail'],
      ['distribution[0].resourceDescription required'],
    ),
  );
  t.same(await recordViolations(record(result)), []);

  const atlas = mapCswDublinCore(dcRecords('harvesting_post_Harvest-zzz-post-GetRecords-filter-wms-dc.xml')[0]!);
  t.same(
    record(atlas).distribution?.map((d) => [d.format, d.accessURL]),
    [
      ['WMS', 'http://webservices.nationalatlas.gov/wms/1million'],
      ['WMS', 'http://webservices.nationalatlas.gov/wms/1million?version=1.1.1&request=GetCapabilities&service=WMS'],
      [undefined, 'http://webservices.nationalatlas.gov/wms/1million'],
    ],
    'repeated links are read once per scheme; &amp; is decoded',
  );
  t.same(
    issues(atlas),
    expected(
      [
        ...NEVER_IN_CSW,
        'description',
        'license',
        'licenseURL',
        'accrualPeriodicity',
        'publisher',
        'publisherContactName',
        'publisherContactPhone',
        'publisherContactEmail',
      ],
      [
        'distribution[0].resourceDescription required',
        'distribution[1].resourceDescription required',
        'distribution[2].resourceDescription required',
        'distribution[2].format required',
      ],
    ),
  );
  t.same(await recordViolations(record(atlas)), ['dct:description MinCount']);
});

t.test('ISO 19139: a service record (3e9a8c05) field by field', async (t) => {
  const result = mapIso19139(xml('3e9a8c05.xml'));
  const mapped = record(result);
  t.match(mapped, {
    identifier: '3e9a8c05',
    title: 'test Title',
    description: 'test Abstract',
    type: 'SERVICES',
    language: 'en',
    modified: '2011-04-18',
    keyword: ['Geographic viewer (humanGeographicViewer)', 'administration'],
    publisher: 'NTUA',
    publisherContactEmail: 'tzotsos@gmail.com',
    license: 'Conditions unknown',
    spatial: '{"type":"Polygon","coordinates":[[[19.37,34.8],[29.61,34.8],[29.61,41.75],[19.37,41.75],[19.37,34.8]]]}',
    temporalCoverageFrom: '2011-04-18',
    temporalCoverageTo: '2011-04-20',
    distribution: [{ resourceID: '3e9a8c05-001', accessURL: 'http://aiolos.survey.ntua.gr/geoserver/wms' }],
  });
  const extras = mapped.extensions?.sourceExtras ?? {};
  t.same(extras['gmd:resourceConstraints'], ['Conditions unknown', 'no limitation'], 'every constraint text is kept');
  t.same(extras['gmd:citation/gmd:date'], [{ date: '2011-04-19', type: 'creation' }]);
  t.same(extras['gmd:descriptiveKeywords'], [{ keywords: ['administration'], thesaurus: 'GEMET Themes, version 2.3' }]);
  t.same(extras['gmd:pointOfContact'], [{ role: 'owner', organisationName: 'NTUA', email: ['tzotsos@gmail.com'] }]);
  t.same(extras['gmd:identificationInfo/srv:serviceType'], { 'gco:LocalName': 'view' }, 'unread identification elements are kept whole');
  t.ok(extras['gmd:dataQualityInfo'], 'unread top-level elements are kept whole');
  // No maintenance frequency, no licence URL, no contact name or phone; the link has no name, description or format.
  t.same(
    issues(result),
    expected(
      [...NEVER_IN_CSW, 'licenseURL', 'accrualPeriodicity', 'publisherContactName', 'publisherContactPhone'],
      ['distribution[0].resourceDescription required', 'distribution[0].format required'],
    ),
  );
  t.same(await recordViolations(mapped), []);
});

t.test('ISO 19139: PacIOOS (NOAA/ncISO) with contacts, online resources and a temporal extent', async (t) => {
  const result = mapIso19139(xml('pacioos-NS06agg.xml'));
  const mapped = record(result);
  t.match(mapped, {
    identifier: 'NS06agg',
    title: 'PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia',
    type: 'rawData',
    language: 'en',
    modified: '2014-04-16',
    publisher: 'University of Hawaii',
    publisherContactName: 'Margaret McManus',
    publisherContactEmail: 'mamc@hawaii.edu',
    temporalCoverageFrom: '2010-05-07T00:00:00Z',
    temporalCoverageTo: '2014-03-17T23:56:00Z',
  });
  t.match(mapped.license, /^The data may be used and redistributed for free/);
  t.equal(mapped.keyword?.length, 19);
  t.same(
    mapped.distribution?.[1],
    {
      resourceID: 'NS06agg-002',
      extensions: { resourceIDSynthesised: true },
      resourceDescription: 'This URL provides a catalog page for this dataset within THREDDS Data Server (TDS).',
      format: 'OPeNDAP',
      downloadURL: 'http://oos.soest.hawaii.edu/thredds/idd/nss_pacioos.html?dataset=NS06agg',
    },
    'function download → downloadURL; the single distribution format applies to each link',
  );
  t.same(mapped.extensions?.sourceExtras?.['gmd:distributionFormat'], ['OPeNDAP']);
  t.equal((mapped.extensions?.sourceExtras?.['gmd:onLine'] as unknown[]).length, 7);
  // OPeNDAP is not in the standard's format list: a warning per resource.
  t.same(
    issues(result),
    expected(
      [...NEVER_IN_CSW, 'licenseURL', 'accrualPeriodicity', 'publisherContactPhone'],
      [0, 1, 2, 3, 4, 5, 6].map((i) => `distribution[${i}].format codelist (warning)`),
    ),
  );
  t.same(await recordViolations(mapped), []);
});

t.test('ISO 19139 records of the pycsw apiso suite: exact issues', async (t) => {
  for (const name of ['T_ortho_RAS_1998_284404.xml', 'test.xml']) {
    const result = mapIso19139(xml(name));
    t.same(
      issues(result),
      expected(
        [...NEVER_IN_CSW, 'licenseURL', 'accrualPeriodicity', 'publisherContactName', 'publisherContactPhone'],
        ['distribution[0].resourceDescription required', 'distribution[0].format required'],
      ),
      name,
    );
    t.same(await recordViolations(record(result)), [], name);
  }
  t.match(record(mapIso19139(xml('T_ortho_RAS_1998_284404.xml'))), {
    issued: '2000-01-01',
    license: 'no conditions apply',
    temporalCoverageFrom: '1997-01-01',
    temporalCoverageTo: '1999-01-01',
  });
});

t.test('ISO 19115-2 (gmi:MI_Metadata): a Sentinel-2 scene', async (t) => {
  const result = mapIso19139(xml('iso_19115-2_Sentinel-2-scene.xml'));
  const mapped = record(result);
  t.match(
    mapped,
    { accrualPeriodicity: '即時', type: 'rawData', issued: '2020-09-02T11:39:10Z', temporalCoverageFrom: '2020-09-02T09:05:59Z' },
    'MD_MaintenanceFrequencyCode continual → 即時',
  );
  t.equal(mapped.distribution?.length, 36);
  // The scene's links are s3:// URLs with no format: not http(s) URLs, so each is flagged; no publisher at all.
  const perLink = Array.from({ length: 36 }, (_, i) => [`distribution[${i}].format required`, `distribution[${i}].downloadURL url`]).flat();
  t.same(
    issues(result),
    expected([...NEVER_IN_CSW, 'license', 'licenseURL', 'publisher', 'publisherContactName', 'publisherContactPhone', 'publisherContactEmail'], perLink),
  );
  t.same(
    await recordViolations(mapped),
    Array.from({ length: 36 }, () => 'dcat:accessURL MinCount'),
    'no http(s) link: DCAT-AP has no accessURL for any distribution',
  );
});

t.test('frequency codes and namespace prefixes', async (t) => {
  const iso = (
    frequency: string,
    prefix = 'gmd',
  ): string => `<${prefix}:MD_Metadata xmlns:${prefix}="http://www.isotc211.org/2005/gmd" xmlns:c="http://www.isotc211.org/2005/gco">
    <${prefix}:fileIdentifier><c:CharacterString>x</c:CharacterString></${prefix}:fileIdentifier>
    <${prefix}:identificationInfo><${prefix}:MD_DataIdentification>
      <${prefix}:citation><${prefix}:CI_Citation><${prefix}:title><c:CharacterString>T</c:CharacterString></${prefix}:title></${prefix}:CI_Citation></${prefix}:citation>
      <${prefix}:resourceMaintenance><${prefix}:MD_MaintenanceInformation><${prefix}:maintenanceAndUpdateFrequency>
        <${prefix}:MD_MaintenanceFrequencyCode codeList="#MD_MaintenanceFrequencyCode" codeListValue="${frequency}"/>
      </${prefix}:maintenanceAndUpdateFrequency></${prefix}:MD_MaintenanceInformation></${prefix}:resourceMaintenance>
    </${prefix}:MD_DataIdentification></${prefix}:identificationInfo></${prefix}:MD_Metadata>`;
  const frequencyOf = (code: string, prefix?: string): unknown => record(mapIso19139(parseXmlDocument(iso(code, prefix)))).accrualPeriodicity;
  const table: Array<[string, string | undefined]> = [
    ['continual', '即時'],
    ['daily', '每日'],
    ['weekly', '每週'],
    ['fortnightly', '每2週'],
    ['monthly', '每月'],
    ['quarterly', '每季'],
    ['biannually', '每半年'],
    ['annually', '每年'],
    ['asNeeded', '不定期'],
    ['irregular', '不定期'],
    ['notPlanned', '不更新'],
    ['unknown', undefined],
  ];
  for (const [code, text] of table) t.equal(frequencyOf(code), text, code);
  t.equal(frequencyOf('weekly', 'iso'), '每週', 'the prefix a server chose does not matter, the namespace does');
  const unknown = record(mapIso19139(parseXmlDocument(iso('unknown'))));
  t.same(unknown.extensions?.sourceExtras?.['gmd:MD_MaintenanceFrequencyCode'], 'unknown', 'an unmapped code stays in extras');
});

t.test('what is not a record is rejected with a typed issue', async (t) => {
  t.match(mapCswDublinCore({ identifier: 'x' }), { ok: false, issues: [{ rule: 'type', message: /csw:Record element, not an object/ }] });
  t.match(mapIso19139(xml('default_get_GetRecords-sortby-asc.xml')), {
    ok: false,
    issues: [{ rule: 'type', message: /not the element csw:GetRecordsResponse/ }],
  });
  const noIdentifier = parseXmlDocument('<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>');
  t.match(mapIso19139(noIdentifier), {
    ok: false,
    issues: [
      { field: 'identifier', rule: 'required' },
      { field: 'title', rule: 'required' },
    ],
  });
});
