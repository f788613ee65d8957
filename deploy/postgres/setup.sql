-- Utväg Hub: PostgreSQL set-up. Run once as a superuser; re-running is safe (it
-- re-sets passwords, owners and grants and keeps data):
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 \
--     -v gateway_password='…' -v referrals_password='…' -v meetings_password='…' \
--     -v networks_password='…' -v training_password='…' \
--     -v adapter_police_password='…' -v adapter_municipality_password='…' \
--     -v adapter_psychiatry_password='…' -v adapter_kriminalvarden_password='…' \
--     -f deploy/postgres/setup.sql
--
-- Optional: -v dbname=utvag_hub (the default).
-- One login role per component (hub_<name>), one schema per component (<name>) owned
-- by that role, nothing in `public`, no access for anyone else: services never read
-- one another's tables. Each component then gets its own URL, e.g.
--   HUB_DATABASE_URL=postgres://hub_referrals:…@db-host:5432/utvag_hub

\set ON_ERROR_STOP on
SET client_min_messages = warning;

\if :{?dbname}
\else
  \set dbname utvag_hub
\endif

-- Every password must be given: stop before changing anything if one is missing.
\if :{?gateway_password}
\else
  \echo 'setup.sql: missing -v gateway_password=…'
  \quit
\endif
\if :{?referrals_password}
\else
  \echo 'setup.sql: missing -v referrals_password=…'
  \quit
\endif
\if :{?meetings_password}
\else
  \echo 'setup.sql: missing -v meetings_password=…'
  \quit
\endif
\if :{?networks_password}
\else
  \echo 'setup.sql: missing -v networks_password=…'
  \quit
\endif
\if :{?training_password}
\else
  \echo 'setup.sql: missing -v training_password=…'
  \quit
\endif
\if :{?adapter_police_password}
\else
  \echo 'setup.sql: missing -v adapter_police_password=…'
  \quit
\endif
\if :{?adapter_municipality_password}
\else
  \echo 'setup.sql: missing -v adapter_municipality_password=…'
  \quit
\endif
\if :{?adapter_psychiatry_password}
\else
  \echo 'setup.sql: missing -v adapter_psychiatry_password=…'
  \quit
\endif
\if :{?adapter_kriminalvarden_password}
\else
  \echo 'setup.sql: missing -v adapter_kriminalvarden_password=…'
  \quit
\endif

-- Durability: a reply is sent only after the service's transaction has committed, so
-- these must stay on (PostgreSQL's defaults; made explicit so nobody turns them off).
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
ALTER SYSTEM SET password_encryption = 'scram-sha-256';
SELECT pg_reload_conf();
SET password_encryption = 'scram-sha-256';

-- Roles: created if missing; attributes and password (re)set on every run.
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['hub_gateway', 'hub_referrals', 'hub_meetings',
                    'hub_networks', 'hub_training', 'hub_adapter_police',
                    'hub_adapter_municipality', 'hub_adapter_psychiatry', 'hub_adapter_kriminalvarden']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec

ALTER ROLE hub_gateway                WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'gateway_password';
ALTER ROLE hub_referrals              WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'referrals_password';
ALTER ROLE hub_meetings               WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'meetings_password';
ALTER ROLE hub_networks               WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'networks_password';
ALTER ROLE hub_training               WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'training_password';
ALTER ROLE hub_adapter_police         WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'adapter_police_password';
ALTER ROLE hub_adapter_municipality   WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'adapter_municipality_password';
ALTER ROLE hub_adapter_psychiatry     WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'adapter_psychiatry_password';
ALTER ROLE hub_adapter_kriminalvarden WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'adapter_kriminalvarden_password';

-- The database: only the hub's roles may connect.
SELECT format('CREATE DATABASE %I ENCODING %L TEMPLATE template0', :'dbname', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dbname') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'dbname', r)
  FROM unnest(ARRAY['hub_gateway', 'hub_referrals', 'hub_meetings',
                    'hub_networks', 'hub_training', 'hub_adapter_police',
                    'hub_adapter_municipality', 'hub_adapter_psychiatry', 'hub_adapter_kriminalvarden']) AS r \gexec

\connect :dbname
SET client_min_messages = warning;

-- Nobody may use `public`.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- One schema per component, owned by its role (existing schemas keep their data).
CREATE SCHEMA IF NOT EXISTS gateway                AUTHORIZATION hub_gateway;
CREATE SCHEMA IF NOT EXISTS referrals              AUTHORIZATION hub_referrals;
CREATE SCHEMA IF NOT EXISTS meetings               AUTHORIZATION hub_meetings;
CREATE SCHEMA IF NOT EXISTS networks               AUTHORIZATION hub_networks;
CREATE SCHEMA IF NOT EXISTS training               AUTHORIZATION hub_training;
CREATE SCHEMA IF NOT EXISTS adapter_police         AUTHORIZATION hub_adapter_police;
CREATE SCHEMA IF NOT EXISTS adapter_municipality   AUTHORIZATION hub_adapter_municipality;
CREATE SCHEMA IF NOT EXISTS adapter_psychiatry     AUTHORIZATION hub_adapter_psychiatry;
CREATE SCHEMA IF NOT EXISTS adapter_kriminalvarden AUTHORIZATION hub_adapter_kriminalvarden;
ALTER SCHEMA gateway                OWNER TO hub_gateway;
ALTER SCHEMA referrals              OWNER TO hub_referrals;
ALTER SCHEMA meetings               OWNER TO hub_meetings;
ALTER SCHEMA networks               OWNER TO hub_networks;
ALTER SCHEMA training               OWNER TO hub_training;
ALTER SCHEMA adapter_police         OWNER TO hub_adapter_police;
ALTER SCHEMA adapter_municipality   OWNER TO hub_adapter_municipality;
ALTER SCHEMA adapter_psychiatry     OWNER TO hub_adapter_psychiatry;
ALTER SCHEMA adapter_kriminalvarden OWNER TO hub_adapter_kriminalvarden;
REVOKE ALL ON SCHEMA gateway, referrals, meetings, networks, training, adapter_police, adapter_municipality, adapter_psychiatry, adapter_kriminalvarden FROM PUBLIC;

-- Each role sees only its own schema.
ALTER ROLE hub_gateway                IN DATABASE :"dbname" SET search_path = gateway;
ALTER ROLE hub_referrals              IN DATABASE :"dbname" SET search_path = referrals;
ALTER ROLE hub_meetings               IN DATABASE :"dbname" SET search_path = meetings;
ALTER ROLE hub_networks               IN DATABASE :"dbname" SET search_path = networks;
ALTER ROLE hub_training               IN DATABASE :"dbname" SET search_path = training;
ALTER ROLE hub_adapter_police         IN DATABASE :"dbname" SET search_path = adapter_police;
ALTER ROLE hub_adapter_municipality   IN DATABASE :"dbname" SET search_path = adapter_municipality;
ALTER ROLE hub_adapter_psychiatry     IN DATABASE :"dbname" SET search_path = adapter_psychiatry;
ALTER ROLE hub_adapter_kriminalvarden IN DATABASE :"dbname" SET search_path = adapter_kriminalvarden;

\echo 'setup.sql: done. Check with: SHOW fsync; SHOW synchronous_commit; SHOW full_page_writes;'
