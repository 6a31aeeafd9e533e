/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_proto.h: application messages for vigil-synth, encoded after their
 * specifications so that a dissector (tshark) reads them: DCE/RPC binds
 * (C706, MS-RPCE), SMB2 (MS-SMB2), Kerberos (RFC 4120, DER), a TLS
 * ClientHello (RFC 8446), SSH banners and KEXINIT (RFC 4253), IGMPv3 reports
 * (RFC 3376), MQTT control packets, an RDP connection request (MS-RDPBCGR),
 * an LDAP search (RFC 4511). Contents that are encrypted on the wire are
 * zeros of the right length. Each writer fills buf (cap bytes, the caller's)
 * and returns the length, or -EMSGSIZE when it does not fit; pure.
 */
#ifndef VIGIL_GEN_PROTO_H
#define VIGIL_GEN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* interface UUIDs (abstract syntaxes) of the DCE/RPC binds vigil-synth makes */
#define GEN_UUID_NDR "8a885d04-1ceb-11c9-9fe8-08002b104860"
#define GEN_UUID_EPM "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
#define GEN_UUID_NETLOGON "12345678-1234-abcd-ef00-01234567cffb"
#define GEN_UUID_SVCCTL "367abb81-9844-35f1-ad32-98f038001003"
#define GEN_UUID_ISCMACTIVATOR "000001a0-0000-0000-c000-000000000046"
#define GEN_UUID_IWBEMLOGIN "f309ad18-d86a-11d0-a075-00c04fb68820"
#define GEN_UUID_DRSUAPI "e3514235-4b06-11d1-ab04-00c04fc2dcd2"

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes in DCE's little-endian field order; -EINVAL if malformed */
int gen_proto_uuid(uint8_t out[16], const char *s);

enum gen_dcerpc_ptype {
	GEN_DCERPC_REQUEST = 0,
	GEN_DCERPC_RESPONSE = 2,
	GEN_DCERPC_BIND = 11,
	GEN_DCERPC_BIND_ACK = 12,
};
/* bind (version 5.0, ptype 11) to one interface with the NDR transfer syntax v2 */
int gen_proto_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id, const char *uuid, uint16_t ver_major,
			  uint16_t ver_minor);
/* bind_ack accepting the NDR syntax; sec_addr is the server's port ("49668") or pipe ("\\PIPE\\svcctl") */
int gen_proto_dcerpc_bind_ack(uint8_t *buf, size_t cap, uint32_t call_id, uint32_t assoc_group, const char *sec_addr);
/* request (opnum, stub_len zero bytes of stub) or response (stub_len bytes) on context 0 */
int gen_proto_dcerpc_call(uint8_t *buf, size_t cap, bool response, uint32_t call_id, uint16_t opnum, size_t stub_len);

enum gen_smb2_cmd {
	GEN_SMB2_NEGOTIATE = 0,
	GEN_SMB2_SESSION_SETUP = 1,
	GEN_SMB2_TREE_CONNECT = 3,
	GEN_SMB2_CREATE = 5,
	GEN_SMB2_CLOSE = 6,
	GEN_SMB2_READ = 8,
	GEN_SMB2_WRITE = 9,
};
struct gen_smb2 {
	uint16_t cmd;		/* enum gen_smb2_cmd */
	bool response;
	uint32_t status;	/* responses: NTSTATUS (0 success, 0xc0000016 more processing required) */
	uint64_t msg_id;
	uint32_t tree_id;
	uint64_t session_id;
	const char *path;	/* TREE_CONNECT request: \\host\share; CREATE request: the file or pipe name */
	uint16_t blob_len;	/* NEGOTIATE response, SESSION_SETUP: security blob (zeros) */
	const uint8_t *data;	/* WRITE request, READ response: the data */
	uint16_t data_len;
	uint8_t share_type;	/* TREE_CONNECT response: 1 disk, 2 pipe */
	uint8_t file_id;	/* CREATE response, WRITE, READ, CLOSE: a small file id */
};
/* one SMB2 message over TCP/445: the 4-byte session header, the 64-byte SMB2 header, the command's body */
int gen_proto_smb2(uint8_t *buf, size_t cap, const struct gen_smb2 *m);

enum gen_krb_type {
	GEN_KRB_AS_REQ = 10,
	GEN_KRB_AS_REP = 11,
	GEN_KRB_TGS_REQ = 12,
	GEN_KRB_TGS_REP = 13,
	GEN_KRB_ERROR = 30,
};
struct gen_krb {
	uint8_t type;		/* enum gen_krb_type */
	const char *realm;
	const char *cname;	/* the user (AS-REQ, AS-REP, TGS-REP) */
	const char *sname[2];	/* service and host (krbtgt and the realm for AS) */
	bool pa_enc_timestamp;	/* AS-REQ: with PA-ENC-TIMESTAMP (after PREAUTH_REQUIRED) */
	uint32_t nonce;
	int32_t error_code;	/* KRB-ERROR: 25 KDC_ERR_PREAUTH_REQUIRED */
	uint16_t cipher_len;	/* tickets' and enc-parts' ciphertext (zeros) */
	bool tcp;		/* prefix the 4-byte record mark of Kerberos over TCP */
};
int gen_proto_krb(uint8_t *buf, size_t cap, const struct gen_krb *m);

/* TLS 1.2-framed ClientHello of total length len (>= 100) naming sni (padding extension fills up) */
int gen_proto_tls_client_hello(uint8_t *buf, size_t cap, const char *sni, size_t len, uint64_t random);
/* a TLS record header of type (22 handshake, 23 application data) with len zero bytes of content */
int gen_proto_tls_record(uint8_t *buf, size_t cap, uint8_t type, size_t len);

/* SSH KEXINIT in a binary packet (unencrypted, as sent before NEWKEYS) */
int gen_proto_ssh_kexinit(uint8_t *buf, size_t cap, bool server, uint64_t cookie);

/* IGMPv3 membership report (type 0x22) with one EXCLUDE record per group, checksum set */
int gen_proto_igmpv3_report(uint8_t *buf, size_t cap, const uint32_t *groups, unsigned n, uint8_t rec_type);
/* IGMPv3 general query (type 0x11), checksum set */
int gen_proto_igmpv3_query(uint8_t *buf, size_t cap);

/* MQTT 3.1.1: CONNECT (client id, keep-alive s), CONNACK, PINGREQ, PINGRESP, PUBLISH QoS 0 */
int gen_proto_mqtt_connect(uint8_t *buf, size_t cap, const char *client_id, uint16_t keepalive);
int gen_proto_mqtt_simple(uint8_t *buf, size_t cap, uint8_t type);	/* 2 CONNACK, 12 PINGREQ, 13 PINGRESP */
int gen_proto_mqtt_publish(uint8_t *buf, size_t cap, const char *topic, size_t payload_len);

/* RDP: X.224 Connection Request with a cookie and RDP_NEG_REQ (TLS | CredSSP), or the Confirm choosing CredSSP */
int gen_proto_rdp_x224(uint8_t *buf, size_t cap, bool confirm, const char *user);

/* LDAP searchRequest for (objectClass=*) under base (message id), or a searchResDone (success) */
int gen_proto_ldap_search(uint8_t *buf, size_t cap, uint32_t msg_id, const char *base, bool done);

/* NetBIOS name service query for name (padded to 16, type 0x20) with transaction id */
int gen_proto_nbns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name);

#endif
