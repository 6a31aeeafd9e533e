/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_app.h: what a conversation's first bytes and a few clear-text replies
 * say, read once for every detector: the application (by its banner or
 * framing, whatever the port), logins the server refused or accepted where
 * a protocol says so in the clear (Kerberos, LDAP, SMB2, FTP, POP3, IMAP,
 * SMTP, MySQL, PostgreSQL, MSSQL, HTTP), the DCE/RPC interfaces bound and
 * notable operations called (over TCP or SMB2 named pipes), and the SMB2
 * shares connected. Pure: bytes in, facts out; bounded work per segment.
 */
#ifndef VIGIL_DET_APP_H
#define VIGIL_DET_APP_H

#include <stdbool.h>
#include <stdint.h>

enum det_app {
	DET_APP_NONE = 0,
	DET_APP_SSH,
	DET_APP_TLS,
	DET_APP_HTTP,
	DET_APP_SMB,
	DET_APP_DCERPC,
	DET_APP_KRB,
	DET_APP_LDAP,
	DET_APP_RDP,
	DET_APP_FTP,
	DET_APP_SMTP,
	DET_APP_POP3,
	DET_APP_IMAP,
	DET_APP_MYSQL,
	DET_APP_PGSQL,
	DET_APP_TDS,
	DET_APP_VNC,
	DET_APP_TELNET,
	DET_APP_MAX,
};

/* DCE/RPC interfaces worth knowing by name (bits of det_app_facts.rpc_ifaces). */
enum det_rpc_if {
	DET_RPC_EPMAPPER = 0,	/* endpoint mapper (135) */
	DET_RPC_NETLOGON,	/* secure channel (Zerologon's target) */
	DET_RPC_SVCCTL,		/* service control manager: PsExec and friends */
	DET_RPC_ATSVC,		/* at scheduler */
	DET_RPC_TASKSCHD,	/* task scheduler (ITaskSchedulerService) */
	DET_RPC_WINREG,		/* remote registry */
	DET_RPC_DRSUAPI,	/* directory replication (DCSync when not a DC) */
	DET_RPC_WMI,		/* IWbemLevel1Login: remote WMI */
	DET_RPC_DCOM,		/* IRemoteSCMActivator / ISystemActivator: remote DCOM activation */
	DET_RPC_SAMR,
	DET_RPC_LSARPC,
	DET_RPC_SRVSVC,
	DET_RPC_MAX,
};

/* Notable DCE/RPC operations (bits of det_app_facts.rpc_ops). */
enum det_rpc_op {
	DET_RPC_OP_DRS_GETNCCHANGES = 1,	/* drsuapi opnum 3: replication of secrets */
	DET_RPC_OP_SVC_CREATE = 2,		/* svcctl CreateServiceW/A (12, 24) */
	DET_RPC_OP_TASK_REGISTER = 4,		/* task scheduler SchRpcRegisterTask (1), at NetrJobAdd (0) */
	DET_RPC_OP_NETLOGON_AUTH = 8,		/* netlogon NetrServerAuthenticate2/3 (15, 26) */
};

/* SMB2 shares connected (bits of det_app_facts.smb_shares). */
enum det_smb_share {
	DET_SMB_IPC = 1,	/* IPC$: named pipes (RPC) */
	DET_SMB_ADMIN = 2,	/* ADMIN$ */
	DET_SMB_DRIVE = 4,	/* C$, D$...: an administrative drive share */
	DET_SMB_OTHER = 8,	/* an ordinary share */
};

enum { DET_APP_RPC_CTX = 4 };

/* What the conversation said so far (zeroed with the conversation). */
struct det_app_facts {
	uint16_t auth_fail;		/* logins the server refused (in the clear) */
	uint8_t auth_ok;		/* a login the server accepted */
	uint8_t auth_sent;		/* the client sent credentials (clear protocols) */
	uint8_t smb_shares;		/* enum det_smb_share bits */
	uint8_t http_auth;		/* the client's last HTTP request carried Authorization */
	uint8_t cmd;			/* line protocols: the client's last command (DET_APP_CMD_*) */
	uint8_t rpc_n;			/* presentation contexts known */
	uint16_t rpc_ifaces;		/* enum det_rpc_if bits */
	uint16_t rpc_ops;		/* enum det_rpc_op bits */
	uint16_t rpc_ctx[DET_APP_RPC_CTX];	/* context ids ... */
	uint8_t rpc_ctx_if[DET_APP_RPC_CTX];	/* ... and their interface (DET_RPC_MAX: unknown) */
	uint16_t rpc_binds;		/* bind / alter-context requests */
	uint16_t netlogon_auths;	/* NetrServerAuthenticate2/3 calls */
	uint8_t parsed[2];		/* payload segments read per side (the budget) */
};

/*
 * The application a payload's first bytes show (DET_APP_NONE: none known);
 * from_client: sent by the side that started the conversation; ports help
 * only where framing alone is ambiguous (LDAP's BER, Kerberos over UDP).
 */
enum det_app det_app_identify(const uint8_t *p, uint32_t len, bool from_client, uint8_t proto, uint16_t sport,
			      uint16_t dport);

/* Read one payload segment of an identified conversation into f (from_client: its direction). */
void det_app_segment(struct det_app_facts *f, enum det_app app, bool from_client, const uint8_t *p, uint32_t len);

/* The name of an application, "" for none; of an interface bit. */
const char *det_app_name(enum det_app app);
const char *det_app_rpc_name(enum det_rpc_if i);

/* The interface a DCE/RPC abstract syntax (16 bytes as on the wire, little-endian fields) names, or DET_RPC_MAX. */
enum det_rpc_if det_app_rpc_iface(const uint8_t uuid[16]);

#endif
