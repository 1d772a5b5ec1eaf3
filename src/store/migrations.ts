/**
 * Versioned schema migrations. Append only: a shipped migration is never edited, since
 * operators' databases have already run it. PRAGMA user_version holds the applied version.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sources, runs, run errors, source records, datasets, changes',
    sql: `
      CREATE TABLE sources (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        type        TEXT NOT NULL,
        url         TEXT NOT NULL,
        priority    INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE runs (
        id                 INTEGER PRIMARY KEY,
        source_id          TEXT NOT NULL REFERENCES sources(id),
        -- queued → running → succeeded | partial | failed | cancelled. Only 'succeeded' means the
        -- source was listed to the end and every listed record fetched: such a run is the base of
        -- the next incremental run and the only kind that may withdraw datasets.
        status             TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','partial','failed','cancelled')),
        incremental_since  TEXT,
        queued_at          TEXT NOT NULL,
        started_at         TEXT,
        finished_at        TEXT,
        -- the harvesting process, so a crashed run can be told from a live one; the token tells
        -- this process from an earlier one that had the same pid (PID 1 in every container)
        pid                INTEGER,
        process_token      TEXT,
        pages              INTEGER NOT NULL DEFAULT 0,
        records_seen       INTEGER NOT NULL DEFAULT 0,
        records_created    INTEGER NOT NULL DEFAULT 0,
        records_updated    INTEGER NOT NULL DEFAULT 0,
        records_unchanged  INTEGER NOT NULL DEFAULT 0,
        records_rejected   INTEGER NOT NULL DEFAULT 0,
        records_flagged    INTEGER NOT NULL DEFAULT 0,
        records_withdrawn  INTEGER NOT NULL DEFAULT 0,
        error_count        INTEGER NOT NULL DEFAULT 0,
        -- set by \`ogd-gateway cancel\` from any process; the run stops at its next page
        cancel_requested   INTEGER NOT NULL DEFAULT 0,
        message            TEXT
      ) STRICT;
      CREATE INDEX runs_by_source ON runs(source_id, id);
      CREATE INDEX runs_open ON runs(status) WHERE status IN ('queued', 'running');

      CREATE TABLE run_errors (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        source_id  TEXT NOT NULL,
        native_id  TEXT,
        stage      TEXT NOT NULL,
        field      TEXT,
        rule       TEXT,
        message    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_errors_by_run ON run_errors(run_id);

      -- What each source said about each record, verbatim, with its hash and our mapping of it.
      CREATE TABLE source_records (
        source_id      TEXT NOT NULL REFERENCES sources(id),
        native_id      TEXT NOT NULL,
        identifier     TEXT NOT NULL,
        content_hash   TEXT NOT NULL,
        payload        TEXT NOT NULL,
        record         TEXT NOT NULL,
        issues         TEXT NOT NULL,
        first_seen_at  TEXT NOT NULL,
        last_seen_at   TEXT NOT NULL,
        changed_at     TEXT NOT NULL,
        last_run_id    INTEGER REFERENCES runs(id),
        -- when a complete run first did not list it; cleared when it is listed again
        missing_since  TEXT,
        -- HTTP validators of the record's last answer, for conditional requests
        etag           TEXT,
        last_modified  TEXT,
        PRIMARY KEY (source_id, native_id)
      ) STRICT;
      CREATE INDEX source_records_by_identifier ON source_records(identifier);
      CREATE INDEX source_records_missing ON source_records(source_id, missing_since) WHERE missing_since IS NOT NULL;

      -- The served catalogue: one row per dataset identifier.
      CREATE TABLE datasets (
        identifier   TEXT PRIMARY KEY,
        source_id    TEXT NOT NULL REFERENCES sources(id),
        native_id    TEXT NOT NULL,
        priority     INTEGER NOT NULL,
        title        TEXT NOT NULL,
        -- UTC instant the metadata last changed: the record's own modified, else our change time
        modified_at  TEXT NOT NULL,
        record       TEXT NOT NULL,
        issues       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        -- set when its source stopped listing it past the grace period: it leaves the lists
        -- and its identifier answers 410 Gone
        withdrawn_at TEXT
      ) STRICT;
      CREATE INDEX datasets_by_modified ON datasets(modified_at);
      CREATE INDEX datasets_by_source ON datasets(source_id, native_id);

      -- What changed in the served catalogue, in order: the base of the change feed.
      CREATE TABLE changes (
        id          INTEGER PRIMARY KEY,
        identifier  TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('created','updated','withdrawn','reinstated')),
        run_id      INTEGER REFERENCES runs(id),
        at          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX changes_by_identifier ON changes(identifier);
    `,
  },
  {
    version: 2,
    description: 'source record payloads in their own table, so presence updates rewrite narrow rows',
    // SQLite rewrites a whole row (overflow pages included) on any UPDATE. Every run moves each
    // listed record's presence (last_seen_at, last_run_id, missing_since); with the payload and
    // its mapping in the same row, that rewrote ~5 KB per record per run, and an unchanged
    // re-harvest of 10,000 records spent most of its time writing 50 MB of WAL.
    sql: `
      CREATE TABLE source_payloads (
        source_id  TEXT NOT NULL,
        native_id  TEXT NOT NULL,
        payload    TEXT NOT NULL,
        record     TEXT NOT NULL,
        issues     TEXT NOT NULL,
        PRIMARY KEY (source_id, native_id),
        FOREIGN KEY (source_id, native_id) REFERENCES source_records(source_id, native_id) ON DELETE CASCADE
      ) STRICT;
      INSERT INTO source_payloads (source_id, native_id, payload, record, issues)
        SELECT source_id, native_id, payload, record, issues FROM source_records;
      ALTER TABLE source_records DROP COLUMN payload;
      ALTER TABLE source_records DROP COLUMN record;
      ALTER TABLE source_records DROP COLUMN issues;
    `,
  },
  {
    version: 3,
    description: 'cross-source identity: record keys, dataset membership, merged datasets with provenance, operator overrides',
    sql: `
      -- Identity keys of each source record (src/model/identity-keys.ts), in (kind, value) order so that
      -- resolution reads the records sharing one as consecutive rows, without sorting. No index
      -- by record and no foreign key: every one would be another random write per key per record
      -- on the harvest's hot path; a record's old keys are recomputed from its old record instead.
      CREATE TABLE record_keys (
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        source_id  TEXT NOT NULL,
        native_id  TEXT NOT NULL,
        PRIMARY KEY (kind, value, source_id, native_id)
      ) STRICT, WITHOUT ROWID;

      -- The dataset each record is a member of (set by identity resolution); when its source
      -- stopped listing it past the grace period (or announced its deletion); and the mapped
      -- record's title and modified instant, so a dataset of one record is written without
      -- reading the record.
      ALTER TABLE source_records ADD COLUMN dataset_id TEXT;
      ALTER TABLE source_records ADD COLUMN withdrawn_at TEXT;
      ALTER TABLE source_records ADD COLUMN title TEXT;
      ALTER TABLE source_records ADD COLUMN modified_at TEXT;
      CREATE INDEX source_records_by_dataset ON source_records(dataset_id);
      DROP INDEX source_records_by_identifier;

      -- The served catalogue, one row per dataset (a cluster of source records). record/issues
      -- hold the merged record; NULL when the dataset is one record served as mapped, which is
      -- then read from source_payloads (a catalogue of mostly single-source datasets is not
      -- stored twice, and a nightly harvest does not write every record twice). source_id and
      -- native_id name the best member. Readers use the view \`datasets\` below.
      CREATE TABLE dataset_entries (
        identifier    TEXT PRIMARY KEY,
        source_id     TEXT NOT NULL REFERENCES sources(id),
        native_id     TEXT NOT NULL,
        priority      INTEGER NOT NULL,
        title         TEXT NOT NULL,
        -- UTC instant the metadata last changed: the record's own modified, else our change time
        modified_at   TEXT NOT NULL,
        record        TEXT,
        issues        TEXT,
        -- hash of what is served, so a re-merge that changes nothing records no change
        content_hash  TEXT,
        -- which member each field came from (NULL: one member)
        provenance    TEXT,
        -- what the members were when merged: an equal signature means nothing to merge again
        signature     TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        -- set when no member is listed any more (past the grace period): it leaves the lists and
        -- its identifier answers 410 Gone
        withdrawn_at  TEXT,
        -- set when its records turned out to be another dataset's: its identifier redirects there
        merged_into   TEXT
      ) STRICT;
      INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at, withdrawn_at)
        SELECT identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at, withdrawn_at FROM datasets;
      DROP TABLE datasets;
      CREATE INDEX dataset_entries_by_modified ON dataset_entries(modified_at);
      CREATE INDEX dataset_entries_by_source ON dataset_entries(source_id, native_id);
      CREATE VIEW datasets AS
        SELECT d.identifier, d.source_id, d.native_id, d.priority, d.title, d.modified_at,
               COALESCE(d.record, p.record) AS record, COALESCE(d.issues, p.issues) AS issues,
               d.provenance, d.created_at, d.updated_at, d.withdrawn_at, d.merged_into
        FROM dataset_entries d LEFT JOIN source_payloads p ON p.source_id = d.source_id AND p.native_id = d.native_id;

      -- Operator decisions that outlive re-harvests: split (never one dataset) or join (always).
      CREATE TABLE identity_overrides (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('split', 'join')),
        a_source    TEXT NOT NULL,
        a_native    TEXT NOT NULL,
        b_source    TEXT NOT NULL,
        b_native    TEXT NOT NULL,
        note        TEXT,
        created_at  TEXT NOT NULL,
        UNIQUE (a_source, a_native, b_source, b_native)
      ) STRICT;

      -- Fuzzy matches nothing corroborated, from the last resolution: for review.
      CREATE TABLE identity_candidates (
        a_source   TEXT NOT NULL,
        a_native   TEXT NOT NULL,
        b_source   TEXT NOT NULL,
        b_native   TEXT NOT NULL,
        key        TEXT NOT NULL,
        PRIMARY KEY (a_source, a_native, b_source, b_native)
      ) STRICT;

      -- Small facts about the store, e.g. whether identity needs resolving again.
      CREATE TABLE store_state (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      ) STRICT;

      -- Records stored before identity existed keep the dataset they served; their keys, title
      -- and modified are computed at the first resolution (needsKeyBackfill).
      UPDATE source_records SET dataset_id = (
        SELECT identifier FROM dataset_entries d WHERE d.source_id = source_records.source_id AND d.native_id = source_records.native_id);
      INSERT INTO store_state (key, value) VALUES ('identity_dirty', '1');
      INSERT INTO store_state (key, value) SELECT 'identity_keys_backfilled', CASE WHEN EXISTS (SELECT 1 FROM source_records) THEN '0' ELSE '1' END;
    `,
  },
  {
    version: 4,
    description: 'full-text search index (FTS5, CJK bigrams), per-dataset search columns, a queue of datasets to re-index kept by triggers',
    // The index is derived data, rebuilt from the datasets view by src/store/search-index.ts;
    // the triggers only queue identifiers, so the writers (identity resolution, the harvest's
    // page writes) pay one small insert per changed dataset and never map text themselves.
    // They queue with INSERT … WHERE NOT EXISTS, not INSERT OR IGNORE: a trigger's OR IGNORE
    // gives way to the conflict policy of the statement that fired it, and resolution's upsert
    // into dataset_entries would then fail on an identifier already queued.
    sql: `
      -- One row per dataset ever indexed: its document id in the full-text index (stable for the
      -- identifier, so an in-memory copy can be brought up to date row by row) and what filters,
      -- facets, sorts and BM25 need, as derived from its served record. \`live\` is 0 once it is
      -- withdrawn, merged into another or gone; \`version\` is the refresh that last wrote the row.
      CREATE TABLE search_docs (
        docid         INTEGER PRIMARY KEY,
        identifier    TEXT NOT NULL UNIQUE,
        version       INTEGER NOT NULL,
        live          INTEGER NOT NULL CHECK (live IN (0, 1)),
        title         TEXT NOT NULL DEFAULT '',
        modified_at   TEXT NOT NULL DEFAULT '',
        publisher     TEXT,
        category      TEXT,
        license       TEXT,
        license_url   TEXT,
        -- JSON array of the distributions' formats, upper-case, without repeats
        formats       TEXT NOT NULL DEFAULT '[]',
        -- tokens of the indexed title and body: the field lengths BM25 normalises by
        title_tokens  INTEGER NOT NULL DEFAULT 0,
        body_tokens   INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX search_docs_by_version ON search_docs(version);

      -- The text, as src/store/search-text.ts writes it (folded; CJK as bigrams), rowid = docid.
      -- Contentless: the text is never read back, only matched, so it is not stored twice.
      CREATE VIRTUAL TABLE dataset_search USING fts5(
        title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');

      -- Datasets whose index entry is out of date; drained by refreshSearchIndex.
      CREATE TABLE search_pending (identifier TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

      CREATE TRIGGER dataset_entries_search_insert AFTER INSERT ON dataset_entries BEGIN
        INSERT INTO search_pending (identifier) SELECT NEW.identifier WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE identifier = NEW.identifier);
      END;
      CREATE TRIGGER dataset_entries_search_update
        AFTER UPDATE OF identifier, source_id, native_id, record, issues, content_hash, withdrawn_at, merged_into, title, modified_at ON dataset_entries BEGIN
        INSERT INTO search_pending (identifier) SELECT OLD.identifier WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE identifier = OLD.identifier);
        INSERT INTO search_pending (identifier) SELECT NEW.identifier WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE identifier = NEW.identifier);
      END;
      CREATE TRIGGER dataset_entries_search_delete AFTER DELETE ON dataset_entries BEGIN
        INSERT INTO search_pending (identifier) SELECT OLD.identifier WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE identifier = OLD.identifier);
      END;
      -- A dataset of one record is served from its payload (dataset_entries.record is NULL): a
      -- re-harvested payload changes what is served before identity resolution runs.
      CREATE TRIGGER source_payloads_search_update AFTER UPDATE OF record ON source_payloads BEGIN
        INSERT INTO search_pending (identifier)
          SELECT d.identifier FROM dataset_entries d WHERE d.source_id = NEW.source_id AND d.native_id = NEW.native_id AND d.record IS NULL
            AND NOT EXISTS (SELECT 1 FROM search_pending q WHERE q.identifier = d.identifier);
      END;
      CREATE TRIGGER source_payloads_search_delete AFTER DELETE ON source_payloads BEGIN
        INSERT INTO search_pending (identifier)
          SELECT d.identifier FROM dataset_entries d WHERE d.source_id = OLD.source_id AND d.native_id = OLD.native_id AND d.record IS NULL
            AND NOT EXISTS (SELECT 1 FROM search_pending q WHERE q.identifier = d.identifier);
      END;

      INSERT INTO search_pending (identifier) SELECT identifier FROM dataset_entries;
    `,
  },
  {
    version: 5,
    description: 'the change feed: each dataset points at its latest change, and the catalogue has a feed epoch',
    // GET /api/changes is compacted (each dataset once, at its latest change, as CouchDB's
    // _changes): it walks dataset_entries by change_seq rather than grouping the whole changes
    // table per request. A trigger keeps change_seq current for every writer of changes.
    sql: `
      -- Datasets that predate the changes table's use get a change, so a feed from the
      -- beginning lists every dataset.
      INSERT INTO changes (identifier, source_id, kind, run_id, at)
        SELECT identifier, source_id, CASE WHEN withdrawn_at IS NULL AND merged_into IS NULL THEN 'created' ELSE 'withdrawn' END, NULL, updated_at
        FROM dataset_entries e WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.identifier = e.identifier)
        ORDER BY identifier;
      ALTER TABLE dataset_entries ADD COLUMN change_seq INTEGER;
      UPDATE dataset_entries SET change_seq = (SELECT MAX(id) FROM changes c WHERE c.identifier = dataset_entries.identifier);
      CREATE INDEX dataset_entries_by_change ON dataset_entries(change_seq);
      CREATE TRIGGER changes_move_dataset AFTER INSERT ON changes BEGIN
        UPDATE dataset_entries SET change_seq = NEW.id WHERE identifier = NEW.identifier;
      END;
      -- Names this store's sequence: a cursor of another store (or of this one rebuilt) is refused.
      INSERT OR IGNORE INTO store_state (key, value) VALUES ('feed_epoch', lower(hex(randomblob(8))));
    `,
  },
  {
    version: 6,
    description: "search_docs.keywords: each dataset's keywords, for the keyword filter (CKAN fq tags:) and the tag lists",
    // Derived data like the rest of the index: the column starts empty and every live dataset is
    // queued, so the next refresh (serve's start-up, or the first search) fills it from the
    // served records through search-index.ts, the one place that reads keywords for the index.
    sql: `
      -- JSON array of the dataset's keywords, trimmed, without repeats (search-fields.ts keywordsOf)
      ALTER TABLE search_docs ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]';
      INSERT INTO search_pending (identifier)
        SELECT identifier FROM search_docs d WHERE live = 1 AND NOT EXISTS (SELECT 1 FROM search_pending q WHERE q.identifier = d.identifier);
    `,
  },
  {
    version: 7,
    description: 'agency push: API keys (hashed) per publisher, and the datasetIds the gateway assigns to pushed datasets',
    // Written by src/store/api-keys.ts and src/store/push-records.ts; pushed records themselves
    // are source records of a per-publisher source `push:<org code>` (src/store/push-sources.ts).
    sql: `
      -- One row per issued key. The key is ogd.<id>.<secret>: id finds the row, key_sha256 checks
      -- the whole key (src/push/api-key-secret.ts says why SHA-256 suffices); the secret itself is
      -- never stored. allow: JSON array of CIDR ranges the key is accepted from ([] = any address).
      CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        key_sha256    TEXT NOT NULL,
        publisher     TEXT NOT NULL,
        org_code      TEXT NOT NULL,
        source_id     TEXT NOT NULL REFERENCES sources(id),
        allow         TEXT NOT NULL DEFAULT '[]',
        created_at    TEXT NOT NULL,
        revoked_at    TEXT,
        -- the last accepted write (a refused call changes nothing stored)
        last_used_at  TEXT
      ) STRICT;
      CREATE INDEX api_keys_by_org_code ON api_keys(org_code);

      -- gen-2's platform datasetId for each pushed identifier, assigned at its first POST and
      -- bound to it for good (from 9000000001: never one of data.gov.tw's six-digit ids).
      CREATE TABLE push_dataset_ids (
        dataset_id   INTEGER PRIMARY KEY,
        source_id    TEXT NOT NULL REFERENCES sources(id),
        identifier   TEXT NOT NULL,
        assigned_at  TEXT NOT NULL,
        UNIQUE (source_id, identifier)
      ) STRICT;
    `,
  },
  {
    version: 8,
    description: 'dataset identifiers looked up ignoring letter case: reads in another case, and new datasets never named a case variant of another',
    // Identifiers differing only in case name one dataset (src/model/identifier.ts): a read of
    // a41000000g-000903 finds A41000000G-000903 (src/api/served-dataset.ts), and resolution
    // names a new dataset only with an identifier no other holds in any case. Only an index:
    // stored identifiers, records and keys stay as they are (agency keys were upper case already).
    sql: `
      CREATE INDEX dataset_entries_by_identifier_nocase ON dataset_entries(identifier COLLATE NOCASE);
    `,
  },
  {
    version: 9,
    description: 'identity keys computed again: DCAT-US identifiers, no URL keys on placeholder hosts, lookalike keys',
    // Keys are derived from the stored records (src/model/identity-keys.ts), and this version computes
    // them differently. They are dropped here and recomputed from source_payloads by the next
    // identity resolution (needsKeyBackfill → backfillRecordKeys), as after migration 3; the
    // resolution that follows re-clusters the catalogue with them. Dataset identifiers survive:
    // each record keeps its dataset_id, so a cluster keeps the identifier its records had.
    sql: `
      DELETE FROM record_keys;
      INSERT INTO store_state (key, value) SELECT 'identity_keys_backfilled', CASE WHEN EXISTS (SELECT 1 FROM source_records) THEN '0' ELSE '1' END
        WHERE true ON CONFLICT(key) DO UPDATE SET value = excluded.value;
      INSERT INTO store_state (key, value) VALUES ('identity_dirty', '1') ON CONFLICT(key) DO UPDATE SET value = '1';
    `,
  },
  {
    version: 10,
    description: 'a full-text index of titles alone, so that relevance learns which datasets hold a term in their title without a column filter',
    // A column filter on dataset_search ({title} : …) evaluates the phrase over every row's whole
    // text and then drops the other column's hits: at 100,000 datasets it cost as much as the
    // body's (13 ms for 人口統計, against about 1 ms in an index of titles alone), and relevance
    // asks it for every term (src/store/search-match.ts). The titles' text is only in the
    // contentless index, so every live dataset is queued for indexing again (refreshSearchIndex).
    // IF NOT EXISTS: a store set back to an older user_version (tests of earlier migrations) still opens.
    sql: `
      CREATE VIRTUAL TABLE IF NOT EXISTS dataset_search_title USING fts5(
        title, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO search_pending (identifier) SELECT identifier FROM search_docs WHERE live = 1
        AND NOT EXISTS (SELECT 1 FROM search_pending p WHERE p.identifier = search_docs.identifier);
    `,
  },
];
