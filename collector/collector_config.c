// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_config.c: vigil-collector's configuration table. It is small, but
 * going through the same table loader as the sensor gives it the same error
 * messages (file:line:col, did-you-mean) and the same YAML rules for free.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfgtab.h"
#include "log.h"
#include "collector_config.h"


#define OFF(field) offsetof(struct collector_config, field)
#define SZ(field) sizeof(((struct collector_config *)0)->field)

static const struct cfgtab_row collector_rows[] = {
	{ .key = "collector.listen", .type = CFGTAB_STRING, .def = "tcp://127.0.0.1:7800",
	  .offset = OFF(listen), .size = SZ(listen), .doc = "ZeroMQ endpoint to bind" },
	{ .key = "collector.events_jsonl", .type = CFGTAB_STRING, .def = "/var/lib/vigil/collector/events.jsonl",
	  .offset = OFF(events_jsonl), .size = SZ(events_jsonl),
	  .doc = "JSON-lines file every stored event is appended to (its directory is created if missing)" },
	{ .key = "collector.jsonl_rotate_mb", .type = CFGTAB_U32, .def = "64", .min = 1, .max = 65536,
	  .offset = OFF(jsonl_rotate_mb), .doc = "Rotate the JSON-lines file when it reaches this many MiB" },
	{ .key = "collector.jsonl_keep", .type = CFGTAB_U32, .def = "8", .min = 1, .max = 1000,
	  .offset = OFF(jsonl_keep), .doc = "Rotated JSON-lines files kept (FILE.1 is the newest)" },
	{ .key = "collector.sqlite", .type = CFGTAB_STRING, .def = "auto",
	  .offset = OFF(sqlite), .size = SZ(sqlite),
	  .doc = "SQLite database (WAL) every stored event goes to, and `query` reads; auto: events_jsonl with .db for .jsonl; \"\" disables it" },
	{ .key = "collector.retention_days", .type = CFGTAB_U32, .def = "90", .min = 0, .max = 36500,
	  .offset = OFF(retention_days),
	  .doc = "Events older than this many days leave the SQLite store, and rotated JSON-lines files older than that are removed (checked every minute; 0: kept forever)" },
	{ .key = "collector.retention_mb", .type = CFGTAB_U32, .def = "0", .min = 0, .max = 16777216,
	  .offset = OFF(retention_mb),
	  .doc = "Bound of the SQLite store's data in MiB: beyond it the oldest events are deleted (freed pages are reused; 0: no bound)" },
	{ .key = "collector.curve_key", .type = CFGTAB_STRING, .def = "", .offset = OFF(curve_key),
	  .size = SZ(curve_key),
	  .doc = "Key pair file from `vigil-collector keygen`: turns CURVE on; \"\" = plain ZMTP" },
	{ .key = "collector.sensor_keys", .type = CFGTAB_STRING_LIST, .def = "", .offset = OFF(sensor_keys),
	  .size = SZ(sensor_keys[0]), .count_max = COLLECTOR_MAX_KEYS, .count_offset = OFF(n_sensor_keys),
	  .doc = "The sensors allowed in (CURVE), each as 'KEY NAME [NAME ...]': a Z85 public key and the sensor names it may send as; any other key is refused, a listed key under another name too (counted)" },
	{ .key = "collector.plain_tcp", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(plain_tcp),
	  .doc = "Removed: must be false. Without keys the collector accepts only a loopback endpoint (a demo: names are not proven)" },
	{ .key = "collector.seq_window", .type = CFGTAB_U32, .def = "1000000000", .min = 1000, .max = 4294967295.0,
	  .offset = OFF(seq_window),
	  .doc = "A sensor's seq may run at most this far ahead of its last stored one (a gap); further is refused and counted" },
	{ .key = "collector.max_sensors", .type = CFGTAB_U32, .def = "4096", .min = 1, .max = 1000000,
	  .offset = OFF(max_sensors),
	  .doc = "Sensor names the collector keeps; events under a new name beyond this are refused and counted" },
	{ .key = "collector.key_rate", .type = CFGTAB_U32, .def = "100000", .min = 0, .max = 10000000,
	  .offset = OFF(key_rate),
	  .doc = "Events per second one key (or all keyless peers together) may send, burst one second's worth; more are refused unacked (resent later) and counted; 0: no limit" },
	{ .key = "collector.max_rate", .type = CFGTAB_U32, .def = "200000", .min = 0, .max = 10000000,
	  .offset = OFF(max_rate),
	  .doc = "Events per second for all sensors together (same rules as key_rate); 0: no limit" },
	{ .key = "collector.max_pending", .type = CFGTAB_U32, .def = "256", .min = 4, .max = 100000,
	  .offset = OFF(max_pending),
	  .doc = "Connections still in their handshake at once; beyond this the oldest is closed (counted, logged)" },
	{ .key = "collector.max_connections", .type = CFGTAB_U32, .def = "4096", .min = 4, .max = 1000000,
	  .offset = OFF(max_connections),
	  .doc = "Connections open at once; a handshake beyond is refused by the key check (counted, logged)" },
	{ .key = "collector.key_handshakes", .type = CFGTAB_U32, .def = "10", .min = 0, .max = 100000,
	  .offset = OFF(key_handshakes),
	  .doc = "Connections one key may open per second (burst one second's worth); beyond, its handshake is refused (counted, logged); 0: no limit" },
	{ .key = "collector.handshake_timeout_ms", .type = CFGTAB_U32, .def = "5000", .min = 100, .max = 60000,
	  .offset = OFF(handshake_timeout_ms),
	  .doc = "A connection that has not finished its handshake after this long is closed" },
	{ .key = "collector.metrics_listen", .type = CFGTAB_STRING, .def = "127.0.0.1:9780",
	  .offset = OFF(metrics_listen), .size = SZ(metrics_listen),
	  .doc = "ADDR:PORT of the collector's HTTP listener: Prometheus text (GET /metrics) and the console (GET /); off loopback it needs http_token_file; \"\" disables it" },
	{ .key = "collector.console", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(console),
	  .doc = "Serve the read-only web console and its JSON API (/api/...) on metrics_listen (docs/console.md)" },
	{ .key = "collector.http_token_file", .type = CFGTAB_STRING, .def = "", .offset = OFF(http_token_file),
	  .size = SZ(http_token_file),
	  .doc = "File (mode 0600 or 0400, owned by the collector's user) holding the HTTP listener's token, 16..256 printable characters: every request must then carry it (Authorization: Bearer TOKEN, or a Basic login as http_user); required when metrics_listen is not a loopback address" },
	{ .key = "collector.http_user", .type = CFGTAB_STRING, .def = "vigil", .offset = OFF(http_user),
	  .size = SZ(http_user), .doc = "User name of the HTTP Basic login (its password is the token)" },
	{ .key = "collector.http_tls_cert", .type = CFGTAB_STRING, .def = "", .offset = OFF(http_tls_cert),
	  .size = SZ(http_tls_cert),
	  .doc = "PEM certificate (chain) file: the HTTP listener speaks HTTPS (TLS 1.2/1.3, GnuTLS); needs http_tls_key" },
	{ .key = "collector.http_tls_key", .type = CFGTAB_STRING, .def = "", .offset = OFF(http_tls_key),
	  .size = SZ(http_tls_key),
	  .doc = "PEM private key file of http_tls_cert (mode 0600 or 0400, owned by the collector's user)" },
	{ .key = "collector.control", .type = CFGTAB_STRING, .def = "ipc:///run/vigil/collector.ctl",
	  .offset = OFF(control), .size = SZ(control),
	  .doc = "Local ZeroMQ endpoint (ipc:// or loopback tcp://) that `vigil-collector evidence` asks the running collector through; its directory is created 0750; \"\" disables fetching" },
	{ .key = "collector.evidence_dir", .type = CFGTAB_STRING, .def = "/var/lib/vigil/collector/evidence",
	  .offset = OFF(evidence_dir), .size = SZ(evidence_dir),
	  .doc = "Where fetched evidence files are kept, as DIR/<sensor>/<file>.pcapng (created if missing)" },
	{ .key = "collector.evidence_timeout_ms", .type = CFGTAB_U32, .def = "10000", .min = 100, .max = 600000,
	  .offset = OFF(evidence_timeout_ms),
	  .doc = "How long a sensor has to answer an evidence request before `evidence` reports a timeout" },
	{ .key = "fleet.servers", .type = CFGTAB_STRING_LIST, .def = "", .offset = OFF(fleet_servers),
	  .size = SZ(fleet_servers[0]), .count_max = COLLECTOR_FLEET_SERVERS, .count_offset = OFF(n_fleet_servers),
	  .doc = "NATS servers of a JetStream cluster (nats://host:4222, tls://...): every accepted event is published to fleet.stream and acked to the sensor once the stream has it (docs/fleet.md); [] (default): embedded, events go to this collector's files only" },
	{ .key = "fleet.name", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_name), .size = SZ(fleet_name),
	  .doc = "This collector's name in the fleet (letters, digits, '-', '_'): its consumer is vigil-NAME, and events it published name it; \"\": the host name" },
	{ .key = "fleet.creds", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_creds), .size = SZ(fleet_creds),
	  .doc = "NATS credentials file (a user JWT and its nkey seed, from nsc); \"\": none" },
	{ .key = "fleet.nkey", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_nkey), .size = SZ(fleet_nkey),
	  .doc = "The NATS user's public nkey (U...), authenticated with the seed in fleet.nkey_seed" },
	{ .key = "fleet.nkey_seed", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_nkey_seed),
	  .size = SZ(fleet_nkey_seed), .doc = "File holding the NATS user's nkey seed (SU...; mode 0600)" },
	{ .key = "fleet.tls_ca", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_tls_ca), .size = SZ(fleet_tls_ca),
	  .doc = "TLS to the NATS servers: the CA file their certificates are checked against (turns TLS on)" },
	{ .key = "fleet.tls_cert", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_tls_cert),
	  .size = SZ(fleet_tls_cert), .doc = "TLS client certificate for the NATS servers (with fleet.tls_key)" },
	{ .key = "fleet.tls_key", .type = CFGTAB_STRING, .def = "", .offset = OFF(fleet_tls_key),
	  .size = SZ(fleet_tls_key), .doc = "The TLS client certificate's private key" },
	{ .key = "fleet.stream", .type = CFGTAB_STRING, .def = "VIGIL_EVENTS", .offset = OFF(fleet_stream),
	  .size = SZ(fleet_stream), .doc = "JetStream stream the events go to (created if missing)" },
	{ .key = "fleet.subject_prefix", .type = CFGTAB_STRING, .def = "vigil", .offset = OFF(fleet_subject_prefix),
	  .size = SZ(fleet_subject_prefix),
	  .doc = "Events are published as PREFIX.<sensor>.<event_type> (names escaped as %XX where NATS forbids them); the stream takes PREFIX.>" },
	{ .key = "fleet.replicas", .type = CFGTAB_U32, .def = "3", .min = 1, .max = 5, .offset = OFF(fleet_replicas),
	  .doc = "Copies of the stream the cluster keeps (3: one node can go away)" },
	{ .key = "fleet.max_age_days", .type = CFGTAB_U32, .def = "30", .min = 0, .max = 36500,
	  .offset = OFF(fleet_max_age_days), .doc = "The stream drops events older than this (0: no age limit)" },
	{ .key = "fleet.max_mb", .type = CFGTAB_U32, .def = "0", .min = 0, .max = 16777216, .offset = OFF(fleet_max_mb),
	  .doc = "The stream drops its oldest events beyond this many MiB (0: no size limit)" },
	{ .key = "fleet.duplicate_window_s", .type = CFGTAB_U32, .def = "120", .min = 1, .max = 86400,
	  .offset = OFF(fleet_duplicate_window_s),
	  .doc = "The stream stores an event whose id (sensor:seq) it saw within this many seconds only once: a failover's resends" },
	{ .key = "fleet.publish_timeout_ms", .type = CFGTAB_U32, .def = "30000", .min = 1000, .max = 600000,
	  .offset = OFF(fleet_publish_timeout_ms),
	  .doc = "How long a batch may take to be stored by the stream (retried meanwhile); then the collector stops without acking it, and its sensors fail over" },
	{ .key = "fleet.consume", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(fleet_consume),
	  .doc = "Read the whole stream (every collector's events) into this collector's SQLite store, for query and the console; needs collector.sqlite" },
	{ .key = "log.level", .type = CFGTAB_STRING, .def = "info", .offset = OFF(log_level),
	  .size = SZ(log_level), .enum_names = log_level_names,
	  .doc = "Most verbose messages logged" },
};

#define COLLECTOR_NROWS (sizeof(collector_rows) / sizeof(collector_rows[0]))

void collector_config_defaults(struct collector_config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	/* cannot fail unless the table above is wrong, which tests/config catches */
	cfgtab_defaults(collector_rows, COLLECTOR_NROWS, cfg, err, sizeof(err));
}

void collector_config_resolve(struct collector_config *cfg)
{
	size_t n = strlen(cfg->events_jsonl);

	if (strcmp(cfg->sqlite, "auto"))
		return;
	/* next to the JSON-lines file, so both move together */
	if (n > 6 && !strcmp(cfg->events_jsonl + n - 6, ".jsonl"))
		n -= 6;
	snprintf(cfg->sqlite, sizeof(cfg->sqlite), "%.*s.db", (int)(n < sizeof(cfg->sqlite) - 4 ? n : sizeof(cfg->sqlite) - 4),
		 cfg->events_jsonl);
}

/* Loads into a copy: on error the caller's cfg is left as it was. */
int collector_config_load(struct collector_config *cfg, const char *path,
			  struct collector_config_error *err)
{
	struct collector_config tmp = *cfg;
	char dummy[8];
	int rc;

	rc = cfgtab_load_file(collector_rows, COLLECTOR_NROWS, &tmp, path, err ? err->msg : dummy,
			      err ? sizeof(err->msg) : sizeof(dummy));
	if (!rc)
		*cfg = tmp;
	return rc;
}

int collector_config_write_doc(FILE *fp)
{
	fprintf(fp, "\n## vigil-collector configuration\n\n"
		    "`vigil-collector -c FILE` (the generic profile ships `boards/generic-x86/collector.yaml`) reads the "
		    "same YAML rules as the sensor. The `fleet.*` keys join collectors to a NATS JetStream cluster "
		    "(docs/fleet.md); without `fleet.servers` the collector stores into its own files only.\n\n");
	return cfgtab_write_doc(collector_rows, COLLECTOR_NROWS, fp, NULL);
}

int collector_config_write_man(FILE *fp)
{
	return cfgtab_write_man(collector_rows, COLLECTOR_NROWS, fp);
}
