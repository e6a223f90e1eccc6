/* packet: NTPv4 header and RFC 7822 extension fields; see packet.h. No allocation. */
#include "core/packet.h"

#include <string.h>

#define EXT_HDR_LEN 4    /* type (16 bits) + length (16 bits) */
#define CRYPTO_NAK_LEN 4 /* key id 0, no digest */
#define MAC_MD5_LEN 20   /* key id + 16-byte digest */
#define MAC_SHA1_LEN 24  /* key id + 20-byte digest */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static void decode_header(const uint8_t *buf, struct ntp_packet *out)
{
	out->leap = (uint8_t)(buf[0] >> 6);
	out->version = (uint8_t)((buf[0] >> 3) & 7);
	out->mode = (uint8_t)(buf[0] & 7);
	out->stratum = buf[1];
	out->poll = (int8_t)buf[2];
	out->precision = (int8_t)buf[3];
	out->root_delay = get32(buf + 4);
	out->root_disp = get32(buf + 8);
	out->refid = get32(buf + 12);
	out->ref = get64(buf + 16);
	out->org = get64(buf + 24);
	out->rec = get64(buf + 32);
	out->xmt = get64(buf + 40);
}

enum ntp_parse_result ntp_packet_parse(const uint8_t *buf, size_t len, struct ntp_packet *out)
{
	if (buf == NULL || len < NTP_HEADER_LEN)
		return NTP_PARSE_SHORT;
	decode_header(buf, out);
	if (out->version < 1 || out->version > NTP_VERSION)
		return NTP_PARSE_BAD_VERSION;
	/* Versions 1-3 have no extension fields: any tail is a MAC (or ignored). */
	if (out->version == NTP_VERSION && !ntp_ext_walk(buf, len, NULL, NULL))
		return NTP_PARSE_BAD_EXT;
	return NTP_PARSE_OK;
}

size_t ntp_packet_serialize(const struct ntp_packet *pkt, uint8_t *buf, size_t cap)
{
	if (cap < NTP_HEADER_LEN)
		return 0;
	buf[0] = (uint8_t)(((pkt->leap & 3) << 6) | ((pkt->version & 7) << 3) | (pkt->mode & 7));
	buf[1] = pkt->stratum;
	buf[2] = (uint8_t)pkt->poll;
	buf[3] = (uint8_t)pkt->precision;
	put32(buf + 4, pkt->root_delay);
	put32(buf + 8, pkt->root_disp);
	put32(buf + 12, pkt->refid);
	put64(buf + 16, pkt->ref);
	put64(buf + 24, pkt->org);
	put64(buf + 32, pkt->rec);
	put64(buf + 40, pkt->xmt);
	return NTP_HEADER_LEN;
}

bool ntp_packet_kiss_code(const struct ntp_packet *pkt, char code[5])
{
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(pkt->refid >> (24 - 8 * i));

		code[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	code[4] = '\0';
	return pkt->mode == NTP_MODE_SERVER && pkt->stratum == 0;
}

void ntp_ext_iter_init(struct ntp_ext_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = NTP_HEADER_LEN;
	it->mac_len = 0;
}

static bool is_mac_len(size_t n)
{
	return n == CRYPTO_NAK_LEN || n == MAC_MD5_LEN || n == MAC_SHA1_LEN;
}

enum ntp_ext_result ntp_ext_next(struct ntp_ext_iter *it, struct ntp_ext *out)
{
	size_t rest;
	uint16_t flen;

	if (it->buf == NULL || it->len < NTP_HEADER_LEN || it->pos > it->len)
		return NTP_EXT_MALFORMED;
	rest = it->len - it->pos;
	if (it->mac_len != 0 || rest == 0)
		return NTP_EXT_END;
	if (is_mac_len(rest)) {
		it->mac_len = rest;
		it->pos = it->len;
		return NTP_EXT_END;
	}
	if (rest < NTP_EXT_MIN_LEN)
		return NTP_EXT_MALFORMED;
	flen = get16(it->buf + it->pos + 2);
	if (flen < NTP_EXT_MIN_LEN || flen % 4 != 0 || flen > rest)
		return NTP_EXT_MALFORMED;
	out->type = get16(it->buf + it->pos);
	out->length = flen;
	out->value = it->buf + it->pos + EXT_HDR_LEN;
	it->pos += flen;
	return NTP_EXT_FIELD;
}

bool ntp_ext_walk(const uint8_t *buf, size_t len, size_t *n_fields, size_t *mac_len)
{
	struct ntp_ext_iter it;
	struct ntp_ext ext;
	enum ntp_ext_result r;
	size_t n = 0;

	ntp_ext_iter_init(&it, buf, len);
	while ((r = ntp_ext_next(&it, &ext)) == NTP_EXT_FIELD)
		n++;
	if (n_fields != NULL)
		*n_fields = n;
	if (mac_len != NULL)
		*mac_len = it.mac_len;
	return r == NTP_EXT_END;
}

const char *ntp_parse_result_str(enum ntp_parse_result r)
{
	switch (r) {
	case NTP_PARSE_OK:
		return "ok";
	case NTP_PARSE_SHORT:
		return "short packet";
	case NTP_PARSE_BAD_VERSION:
		return "bad version";
	case NTP_PARSE_BAD_EXT:
		return "malformed extension fields";
	}
	return "unknown";
}
