-- 061_array_add_plpgsql.sql — gk_array_add (001) in PL/pgSQL (issue 7).
--
-- Every submission adds its delta to three arrays of each ancestor's rollup
-- row (ON CONFLICT DO UPDATE SET sums = gk_array_add(...)): ~10 calls per
-- submission.  A LANGUAGE sql function that cannot be inlined has its body
-- parsed and planned again for every statement that calls it: 91 µs per
-- call in pg_stat_statements during bench/run.d/service.sh, ~1 ms of each
-- submission.  PL/pgSQL keeps its plans for the session.  Same result:
-- the longer length, NULL elements and missing ones counted as 0, '{}' for
-- two empty or NULL arrays.
CREATE OR REPLACE FUNCTION gk_array_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n integer := greatest(coalesce(array_length(a, 1), 0), coalesce(array_length(b, 1), 0));
    r bigint[] := array_fill(0::bigint, ARRAY[n]);
BEGIN
    FOR i IN 1..n LOOP
        r[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
    END LOOP;
    RETURN r;
END $$;
