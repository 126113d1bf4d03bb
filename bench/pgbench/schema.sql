DROP SCHEMA IF EXISTS ceiling CASCADE;
CREATE SCHEMA ceiling;
CREATE TABLE ceiling.streams (id text PRIMARY KEY, version integer NOT NULL);
CREATE TABLE ceiling.events (seq bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now());
