/* SPDX-License-Identifier: GPL-2.0-only */
/* collector_config.h: vigil-collector's YAML configuration (table in collector_config.c). */
#ifndef VIGIL_COLLECTOR_CONFIG_H
#define VIGIL_COLLECTOR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>
#include <stdio.h>

#define COLLECTOR_PATH_MAX 256
#define COLLECTOR_MAX_KEYS 256
#define COLLECTOR_KEY_ENTRY 256	/* "KEY NAME [NAME ...]" */
#define COLLECTOR_FLEET_SERVERS 16

struct collector_config {
	char listen[COLLECTOR_PATH_MAX];	/* ZeroMQ endpoint to bind, e.g. tcp://127.0.0.1:7800 */
	char events_jsonl[COLLECTOR_PATH_MAX];	/* JSON-lines file every stored event is appended to */
	uint32_t jsonl_rotate_mb;		/* rotate the JSON-lines file at this size */
	uint32_t jsonl_keep;			/* rotated files kept (.1 newest) */
	uint32_t retention_days;		/* SQLite events and rotated files older than this go; 0: never */
	uint32_t retention_mb;			/* SQLite data bound, oldest events deleted beyond; 0: none */
	char sqlite[COLLECTOR_PATH_MAX];	/* SQLite database; "auto": see resolve; "" disables it */
	char curve_key[COLLECTOR_PATH_MAX];	/* the collector's key pair file; "" = no CURVE */
	char sensor_keys[COLLECTOR_MAX_KEYS][COLLECTOR_KEY_ENTRY];	/* "KEY NAME...": a sensor's key and its names */
	uint32_t n_sensor_keys;
	bool plain_tcp;				/* removed: must be false (keyless only on loopback) */
	uint32_t seq_window;			/* a seq more than this above the last stored is refused */
	uint32_t max_sensors;			/* sensor names the collector keeps state for */
	uint32_t key_rate;			/* messages/s per key (or all keyless peers); 0: no limit */
	uint32_t max_rate;			/* messages/s for the whole collector; 0: no limit */
	uint32_t max_pending;			/* connections still in their handshake, at once */
	uint32_t max_connections;		/* connections open at once; beyond, a handshake is refused */
	uint32_t key_handshakes;		/* connections one key may open per second */
	uint32_t handshake_timeout_ms;		/* a connection must finish its handshake within this */
	char metrics_listen[64];		/* "ADDR:PORT" of the HTTP listener (metrics, console); "" disables */
	bool console;				/* the web console and its JSON API on that listener */
	char http_token_file[COLLECTOR_PATH_MAX];	/* the listener's secret token; required off loopback */
	char http_user[64];			/* the user name HTTP Basic logins give with the token */
	char http_tls_cert[COLLECTOR_PATH_MAX];	/* PEM certificate chain: HTTPS; "" plain HTTP */
	char http_tls_key[COLLECTOR_PATH_MAX];	/* PEM private key of that certificate */
	char control[COLLECTOR_PATH_MAX];	/* local ZeroMQ endpoint `evidence` talks to; "" disables */
	char evidence_dir[COLLECTOR_PATH_MAX];	/* fetched evidence files: <dir>/<sensor>/<file> */
	uint32_t evidence_timeout_ms;		/* how long a sensor has to answer an evidence request */
	char log_level[16];
	/* a fleet (docs/fleet.md): events go to a replicated JetStream stream; no servers: embedded */
	char fleet_servers[COLLECTOR_FLEET_SERVERS][COLLECTOR_PATH_MAX];	/* nats://host:port */
	uint32_t n_fleet_servers;
	char fleet_name[64];			/* this collector in the fleet; "": the host name */
	char fleet_creds[COLLECTOR_PATH_MAX];	/* NATS credentials file (JWT + nkey seed) */
	char fleet_nkey[64];			/* the user's public nkey (U...), with fleet_nkey_seed */
	char fleet_nkey_seed[COLLECTOR_PATH_MAX];	/* file holding the user's nkey seed */
	char fleet_tls_ca[COLLECTOR_PATH_MAX];	/* TLS: the CA that signed the servers' certificates */
	char fleet_tls_cert[COLLECTOR_PATH_MAX];	/* TLS client certificate (and fleet_tls_key) */
	char fleet_tls_key[COLLECTOR_PATH_MAX];
	char fleet_stream[64];			/* the stream's name */
	char fleet_subject_prefix[32];		/* subjects PREFIX.<sensor>.<event_type> */
	uint32_t fleet_replicas;
	uint32_t fleet_max_age_days;		/* 0: no age limit */
	uint32_t fleet_max_mb;			/* 0: no size limit */
	uint32_t fleet_duplicate_window_s;	/* the stream drops a message id seen within this */
	uint32_t fleet_publish_timeout_ms;	/* a batch the stream has not taken by then stops the collector */
	bool fleet_consume;			/* read the stream into this collector's SQLite store */
};

struct collector_config_error {
	char msg[512];	/* "file:line:col: what was expected" */
};

void collector_config_defaults(struct collector_config *cfg);

/* After loading: sqlite "auto" becomes events_jsonl with ".db" for ".jsonl" (or appended). */
void collector_config_resolve(struct collector_config *cfg);
int collector_config_load(struct collector_config *cfg, const char *path,
			  struct collector_config_error *err);

/* The key table as Markdown, after the sensor's in docs/config.md (tests/config/gen_config_doc). 0 or -EIO. */
int collector_config_write_doc(FILE *fp);

/* The key table as man(7) source, for vigil.yaml(5) (docs/man/gen_man.c). 0 or -EIO. */
int collector_config_write_man(FILE *fp);

#endif
