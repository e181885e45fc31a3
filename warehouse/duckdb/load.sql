-- Load one finished directory export of profile-export (-o DIR/, Parquet) into
-- DuckDB: profiles into the table target_profiles, rejects into
-- target_profile_rejects. Nothing is loaded unless the export is finished and
-- every file matches its manifest; the loaded row counts are then checked
-- against the manifest too. A failed check stops with an error naming the
-- problem, so run it with -bail:  duckdb -bail profiles.duckdb < load.sql
--
-- Set the export's directory. A bucket works too once DuckDB can read it, e.g.
-- INSTALL httpfs; LOAD httpfs; CREATE SECRET (TYPE s3, PROVIDER credential_chain);
-- then 's3://lake/target_profiles/dt=2024-06-01/run=20240601T020000Z-0123456789ab/'.
SET VARIABLE export_dir = 'export/';
CREATE OR REPLACE TEMP MACRO export_path(name) AS
    rtrim(getvariable('export_dir'), '/') || '/' || name;
-- Where a file the manifest lists is: its name in the export's directory, or for
-- a rejects part written to another directory (--rejects DIR/) its "path",
-- relative to the export's directory or a URL.
CREATE OR REPLACE TEMP MACRO listed_path(f) AS
    CASE WHEN f.path IS NULL THEN export_path(f.name)
         WHEN regexp_matches(f.path, '^[a-z][a-z0-9+.-]*://') THEN f.path
         ELSE export_path(f.path) END;
-- A path with its "." and "name/.." steps taken, as DuckDB names the files it
-- finds (export/../rejects/x is rejects/x), to compare listed and found files.
-- The steps kept so far are a string, each step after a '/' (DuckDB 1.5's
-- list_reduce wants an accumulator of the list's own type).
CREATE OR REPLACE TEMP MACRO normal_path(path) AS
    substr(list_reduce(string_split(path, '/'), lambda acc, step:
        CASE WHEN step = '.' THEN acc
             WHEN step = '..' AND len(acc) > 0 AND regexp_extract(acc, '/([^/]*)$', 1) NOT IN ('..', '')
                 THEN regexp_replace(acc, '/[^/]*$', '')
             ELSE acc || '/' || step END, ''), 2);

-- 1. Finished? _SUCCESS is written last, after _manifest.json. Each shard of a
--    sharded export (--shard K/N into one directory) writes its own
--    _manifest-sKKK.json and _SUCCESS-sKKK; the export is finished when all are.
SELECT error(export_path('') || ' is not a finished export: no _SUCCESS')
WHERE NOT EXISTS (FROM glob(export_path('_SUCCESS*')));

CREATE OR REPLACE TEMP TABLE export_manifest AS
SELECT parse_filename(filename) AS manifest, * EXCLUDE (filename)
FROM read_json(export_path('_manifest*.json'), filename = true, columns = {
    run_id: 'VARCHAR',
    shard: 'VARCHAR',
    parts: 'STRUCT(name VARCHAR, path VARCHAR, "rows" BIGINT, bytes BIGINT, sha256 VARCHAR)[]',
    rejects: 'STRUCT(name VARCHAR, path VARCHAR, "rows" BIGINT, bytes BIGINT, sha256 VARCHAR)[]',
    counts: 'STRUCT("rows" BIGINT, profiles BIGINT)'});

SELECT error(export_path('') || ' is not finished: ' || string_agg(problem, '; '))
FROM (
    SELECT manifest || ' has no ' || replace(replace(manifest, '_manifest', '_SUCCESS'), '.json', '') AS problem
    FROM export_manifest
    WHERE replace(replace(manifest, '_manifest', '_SUCCESS'), '.json', '')
        NOT IN (SELECT parse_filename(file) FROM glob(export_path('_SUCCESS*')))
    UNION ALL
    SELECT 'only ' || count(*) || ' of ' || max(split_part(shard, '/', 2)) || ' shards are finished'
    FROM export_manifest
    HAVING count(*) <> coalesce(max(split_part(shard, '/', 2)::INTEGER), 1)
)
HAVING count(*) > 0;

-- 2. Every file the manifests list is there with its size and SHA-256, and no
--    part or rejects file is there that they do not list (one of an unfinished
--    shard, or a stray copy, would otherwise be loaded by a part-* glob); nor a
--    rejects file in another directory holding listed rejects parts.
CREATE OR REPLACE TEMP TABLE export_files AS
SELECT normal_path(listed_path(p)) AS file, p.path IS NOT NULL AS elsewhere, p.bytes, p.sha256
FROM export_manifest, unnest(parts || rejects) AS u(p);
SET VARIABLE export_globs = (
    SELECT list_distinct(list_prepend(export_path('*'),
        coalesce(list(parse_dirpath(file) || '/rejects-*') FILTER (elsewhere), [])))
    FROM export_files);

SELECT error(export_path('') || ' does not match its manifest: ' || string_agg(file || ' ' || problem, '; '))
FROM (
    SELECT file,
        CASE WHEN f.file IS NULL THEN 'is missing'
             WHEN l.file IS NULL THEN 'is not in the manifest'
             WHEN f.bytes <> l.bytes THEN 'has ' || f.bytes || ' bytes, the manifest says ' || l.bytes
             WHEN f.sha256 <> l.sha256 THEN 'has another SHA-256 than the manifest'
        END AS problem
    FROM (SELECT file, bytes, sha256 FROM export_files) AS l
    FULL JOIN (
        SELECT DISTINCT normal_path(filename) AS file, size AS bytes, sha256(content) AS sha256
        FROM read_blob(getvariable('export_globs'))
        WHERE regexp_matches(parse_filename(filename), '^(part|rejects)-')
    ) AS f USING (file)
)
WHERE problem IS NOT NULL
HAVING count(*) > 0;

-- 3. Load exactly the files the manifests list.
SET VARIABLE parts = (SELECT list(listed_path(p) ORDER BY p.name) FROM export_manifest, unnest(parts) AS u(p));
SET VARIABLE rejects = (SELECT list(listed_path(p) ORDER BY p.name) FROM export_manifest, unnest(rejects) AS u(p));

CREATE OR REPLACE TABLE target_profiles AS
FROM read_parquet(getvariable('parts'));

SELECT error('loaded ' || loaded || ' profiles, the manifest lists ' || listed || ' and counts ' || counted)
FROM (SELECT (SELECT count(*) FROM target_profiles) AS loaded,
             (SELECT sum(p.rows) FROM export_manifest, unnest(parts) AS u(p)) AS listed,
             (SELECT sum(counts.profiles) FROM export_manifest) AS counted)
WHERE loaded <> listed OR listed <> counted;

-- An export in which no row was rejected has no rejects file, and DuckDB stops
-- here ("needs at least one file to read"): there is nothing more to load.
CREATE OR REPLACE TABLE target_profile_rejects AS
FROM read_json_auto(getvariable('rejects'));

SELECT error('loaded ' || loaded || ' rejects, the manifest lists ' || listed || ' and counts ' || counted)
FROM (SELECT (SELECT count(*) FROM target_profile_rejects) AS loaded,
             (SELECT sum(p.rows) FROM export_manifest, unnest(rejects) AS u(p)) AS listed,
             (SELECT sum(counts.rows - counts.profiles) FROM export_manifest) AS counted)
WHERE loaded <> listed OR listed <> counted;
