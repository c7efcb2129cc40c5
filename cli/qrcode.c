// SPDX-License-Identifier: Apache-2.0
//
// qrcode.c -- the credit code: an attestation as a QR code (libqrencode),
// drawn on the terminal with Unicode half blocks or written as a PNG
// (libpng).
//
// The token is encoded as it is, in byte mode, at error correction level
// L: a tier-only attestation is about 900 characters, version 19 to 21,
// and the code is read off a screen or a clean print, where L suffices
// and keeps the modules large.  On the terminal two module rows share
// one character row, the way `qrencode -t UTF8` draws: a light module is
// a block, for light text on a dark background, with a quiet zone of two
// modules.  The PNG has the standard quiet zone of four modules, black
// on white.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "common/err.h"

#define TERM_MARGIN 2
#define PNG_MARGIN  4

static fs_err
encode(QRcode **qrp, const char *text)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);

	if (qr == NULL) {
		return (errno == ERANGE ? FS_ERR_TOO_LARGE : FS_ERR_NOMEM);
	}
	*qrp = qr;
	return (FS_OK);
}

// dark reports whether the module at (x, y) is dark; outside the symbol
// (the quiet zone) everything is light.
static bool
dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width) {
		return (false);
	}
	return ((qr->data[y * qr->width + x] & 1) != 0);
}

fs_err
cli_qr_terminal(FILE *f, const char *text, int *widthp)
{
	static const char *const cell[4] = {
		"\u2588", // both light: full block
		"\u2584", // top dark: lower half
		"\u2580", // bottom dark: upper half
		" ",      // both dark
	};
	QRcode *qr;
	fs_err  rv;

	if ((rv = encode(&qr, text)) != FS_OK) {
		return (rv);
	}
	for (int y = -TERM_MARGIN; y < qr->width + TERM_MARGIN; y += 2) {
		for (int x = -TERM_MARGIN; x < qr->width + TERM_MARGIN; x++) {
			fputs(cell[(dark(qr, x, y) ? 1 : 0)
			          | (dark(qr, x, y + 1) ? 2 : 0)],
			    f);
		}
		fputc('\n', f);
	}
	if (widthp != NULL) {
		*widthp = qr->width;
	}
	QRcode_free(qr);
	return (ferror(f) ? FS_ERR_IO : FS_OK);
}

// write_png writes the symbol to f, row being a buffer of side bytes.
// libpng reports errors by longjmp: nothing here changes after setjmp.
static fs_err
write_png(FILE *f, png_bytep row, const QRcode *qr, int scale, int side)
{
	png_structp png;
	png_infop   info;

	if ((png = png_create_write_struct(
	         PNG_LIBPNG_VER_STRING, NULL, NULL, NULL))
	    == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((info = png_create_info_struct(png)) == NULL) {
		png_destroy_write_struct(&png, NULL);
		return (FS_ERR_NOMEM);
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return (FS_ERR_IO);
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32) side, (png_uint_32) side, 8,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < side; y++) {
		int my = y / scale - PNG_MARGIN;

		for (int x = 0; x < side; x++) {
			row[x] = dark(qr, x / scale - PNG_MARGIN, my) ? 0 : 255;
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return (FS_OK);
}

fs_err
cli_qr_png(const char *path, const char *text, int scale)
{
	QRcode   *qr;
	FILE     *f;
	png_bytep row;
	int       side;
	fs_err    rv;

	if (scale < 1 || scale > 64) {
		return (FS_ERR_INVALID);
	}
	if ((rv = encode(&qr, text)) != FS_OK) {
		return (rv);
	}
	side = (qr->width + 2 * PNG_MARGIN) * scale;
	if ((row = malloc((size_t) side)) == NULL) {
		QRcode_free(qr);
		return (FS_ERR_NOMEM);
	}
	if ((f = fopen(path, "wb")) == NULL) {
		rv = FS_ERR_IO;
	} else {
		rv = write_png(f, row, qr, scale, side);
		if (fclose(f) != 0) {
			rv = FS_ERR_IO;
		}
	}
	free(row);
	QRcode_free(qr);
	return (rv);
}
