-- Query all the finished runs of a nightly export into Hive-style partitions,
--   profile-export export ... -o 'lake/target_profiles/dt={{.Date}}/run={{.RunID}}/'
-- as one view, with the partition columns dt (DATE) and run (VARCHAR) after the
-- profile columns. New runs show up at the next query. A part is in the view
-- only once its run wrote both manifest and _SUCCESS (per shard when sharded):
-- runs still going, stopped to be resumed, or dead are left out. The files are
-- not checked against the manifests' SHA-256 here: load.sql does that per run.
-- For a bucket, write s3://lake/target_profiles/... (with httpfs and a secret).
CREATE OR REPLACE VIEW target_profiles_history AS
SELECT * EXCLUDE (filename)
FROM read_parquet('lake/target_profiles/dt=*/run=*/part-*.parquet',
                  hive_partitioning = true, filename = true)
WHERE filename IN (
    SELECT parse_dirpath(m.filename) || '/' || p.name
    FROM read_json('lake/target_profiles/dt=*/run=*/_manifest*.json', filename = true,
                   columns = {parts: 'STRUCT(name VARCHAR)[]'}) AS m,
         unnest(m.parts) AS u(p)
    WHERE regexp_replace(m.filename, '_manifest([^/]*)[.]json$', '_SUCCESS\1')
        IN (SELECT file FROM glob('lake/target_profiles/dt=*/run=*/_SUCCESS*')));
