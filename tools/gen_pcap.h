/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_pcap.h: writer for classic pcap files (not pcapng), linktype Ethernet,
 * microsecond or nanosecond timestamps, in host byte order as libpcap writes them.
 */
#ifndef VIGIL_GEN_PCAP_H
#define VIGIL_GEN_PCAP_H

#include <stdbool.h>
#include <stdint.h>

enum {
	GEN_PCAP_MAGIC_USEC = 0xa1b2c3d4,
	GEN_PCAP_MAGIC_NSEC = 0xa1b23c4d,
	GEN_PCAP_SNAPLEN = 65535,
	GEN_PCAP_LINKTYPE_ETHERNET = 1,
};

struct gen_pcap;

/*
 * Create (truncate) path, "-" meaning stdout, and write the file header.
 * Returns the writer (free it with gen_pcap_close) or NULL with errno set.
 */
struct gen_pcap *gen_pcap_open(const char *path, bool nsec);

/* Append one record stamped ts_ns (ns since the epoch). Returns 0 or -errno. */
int gen_pcap_write(struct gen_pcap *pc, uint64_t ts_ns, const void *frame, uint32_t len);

/* Flush and close; accepts NULL. Returns 0 or -errno of the first failed write/flush. */
int gen_pcap_close(struct gen_pcap *pc);

#endif
