/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * shim.h: what parse.h and flow.h need from their compiler, so that the same
 * parsers and the same flow-accounting step compile for BPF (vigil.bpf.c) and
 * for user space (vigil_user.c, dataplane/pkt.c). The BPF half is the helpers'
 * own headers; the user half gives the same names plain C meanings. Maps are
 * not here: each build defines struct vg_env and its vg_env_*() accessors
 * before including flow.h.
 */
#ifndef VIGIL_SHIM_H
#define VIGIL_SHIM_H

#if defined(__bpf__)

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* header structs: naturally aligned, the verifier allows unaligned packet reads */
#define VG_HDR

/*
 * var &= mask, hidden from clang so that it cannot fold the mask into a
 * comparison on another register: the verifier then knows var's bounds.
 */
#define vg_mask(var, mask) asm volatile("%0 &= " #mask : "+r"(var))

/* var becomes a value clang knows nothing of: no test is merged across it */
#define vg_barrier_var(var) asm volatile("" : "+r"(var))

/* counters other CPUs add to at the same moment (the shared flow table) */
#define vg_atomic_add(p, v) __sync_fetch_and_add((p), (v))

#else /* user space */

#include <linux/types.h>
#include <bpf/bpf_endian.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * header structs may sit at any byte of a frame (a compressed PPP protocol
 * field leaves the IP header at an odd offset): packed, so every read is one
 * the C rules allow (UBSan's alignment check) at no cost on x86 and ARMv8
 */
#define VG_HDR __attribute__((packed))

#define vg_mask(var, mask) ((var) &= (mask))
#define vg_barrier_var(var) ((void)(var))

/* one thread owns the user-space tables: plain adds, same results */
#define vg_atomic_add(p, v) ((void)(*(p) += (v)))

#endif

/* unroll bounded loops for the verifier; gcc has no such pragma, and needs none */
#if defined(__clang__)
#define VG_UNROLL _Pragma("unroll")
#else
#define VG_UNROLL
#endif

#endif
