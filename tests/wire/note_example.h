// SPDX-License-Identifier: Apache-2.0
//
// note_example.h -- the example of Go's golang.org/x/mod/sumdb/note (also
// used in the C2SP signed-note history) as a known answer: its verifier
// key, signer key, text and signed note, defined here rather than in a .c
// file so that sizeof sees their length.

#ifndef FS_TEST_NOTE_EXAMPLE_H
#define FS_TEST_NOTE_EXAMPLE_H

static const char go_vkey[]
    = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static const char go_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
                              "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

static const char go_text[]
    = "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";

static const char go_note[]
    = "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xe2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
      "gotpRZb6KE6RyyBwJnAM=\n";

#endif // FS_TEST_NOTE_EXAMPLE_H
