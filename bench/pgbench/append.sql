-- The database's ceiling for a command that appends one event: upsert the stream's row, insert one jsonb event row.
\set stream random(1, 10000)
BEGIN;
INSERT INTO ceiling.streams (id, version) VALUES ('conversation-' || :stream, 1)
  ON CONFLICT (id) DO UPDATE SET version = ceiling.streams.version + 1;
INSERT INTO ceiling.events (stream_id, data)
  VALUES ('conversation-' || :stream, '{"conversationId":"c","messageId":"m","author":"ayu","text":"hello, how was the room?"}'::jsonb);
END;
