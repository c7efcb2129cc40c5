// SPDX-License-Identifier: Apache-2.0
//
// paseto_interop.mjs -- the other side of paseto_interop.sh: the same
// subcommands as paseto_tool, done by panva/paseto (npm "paseto", v3), an
// independent PASETO v4 implementation on Node's own Ed25519.  Keys are
// PASERK strings, which that library reads itself.
//
// FS_NPM names the directory the package was installed into (npm
// --prefix); it is resolved from there, not from this file's directory.
//
// Exit codes as paseto_tool's: 0 ok, 1 refused, 2 usage or I/O.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.FS_NPM ?? '.', 'package.json'));
const { V4 } = require('paseto');

const usage = `usage: node paseto_interop.mjs version
       node paseto_interop.mjs keygen
       node paseto_interop.mjs sign K4SECRET FOOTER IMPLICIT  < message
       node paseto_interop.mjs open K4PUBLIC FOOTER IMPLICIT TOKEN
       node paseto_interop.mjs issue K4SECRET PID REGION
       node paseto_interop.mjs verify K4PUBLIC PID REGION TOKEN
`;

// refused reports a token or key the library would not take.
function refused(what, err) {
  process.stderr.write(`paseto_interop.mjs: ${what}: ${err.code ?? err.name}: ${err.message}\n`);
  process.exit(1);
}

const commands = {
  version: [0, () => {
    const pkg = require('paseto/package.json');
    process.stdout.write(`${pkg.name} ${pkg.version}\n`);
  }],

  keygen: [0, async () => {
    const { secretKey, publicKey } = await V4.generateKey('public', { format: 'paserk' });
    process.stdout.write(`${secretKey}\n${publicKey}\n`);
  }],

  // A raw PASETO: the message as bytes, the footer as a string.
  sign: [3, async (sec, footer, implicit) => {
    const msg = readFileSync(0);
    const tok = await V4.sign(msg, sec, {
      footer: footer === '' ? undefined : footer,
      assertion: implicit,
    }).catch((e) => refused('sign', e));
    process.stdout.write(`${tok}\n`);
  }],

  open: [4, async (pub, footer, implicit, tok) => {
    const { payload, footer: got } = await V4.verify(tok, pub, {
      assertion: implicit, buffer: true, complete: true,
    }).catch((e) => refused('verify', e));
    // As fs_paseto_verify: the footer must be the one expected.
    if ((got?.toString('utf8') ?? '') !== footer) {
      refused('verify', new Error(`footer is ${got} but ${footer} was expected`));
    }
    process.stdout.write(payload);
  }],

  // A consent token as fedscore reads them; the library sets iat and exp
  // (with milliseconds, as Date.toISOString writes them).
  issue: [3, async (sec, pid, region) => {
    const tok = await V4.sign({
      purpose: 'loan',
      scope: 'breakdown',
      uses: 3,
      reg: region,
    }, sec, {
      issuer: 'issuer.node',
      subject: randomBytes(32).toString('base64url'),
      audience: 'bank.example',
      jti: randomBytes(16).toString('base64url'),
      expiresIn: '1 hour',
      footer: { kid: pid },
      assertion: region,
    }).catch((e) => refused('sign', e));
    process.stdout.write(`${tok}\n`);
  }],

  // A consent token from fedscore: signature, implicit assertion, the
  // registered claims (the library checks iat, nbf and exp itself), the
  // kid in the footer.
  verify: [4, async (pub, pid, region, tok) => {
    const { payload, footer } = await V4.verify(tok, pub, {
      assertion: region, complete: true, audience: 'bank.example',
    }).catch((e) => refused('verify', e));
    let kid;
    try {
      ({ kid } = JSON.parse(footer.toString('utf8')));
    } catch (e) {
      refused('footer', e);
    }
    if (kid !== pid) {
      refused('footer', new Error(`kid is ${kid} but the key is ${pid}`));
    }
    if (payload.reg !== region) {
      refused('claims', new Error(`reg is ${payload.reg} but ${region} was expected`));
    }
    const sorted = Object.fromEntries(Object.entries(payload).sort(([a], [b]) => (a < b ? -1 : 1)));
    process.stdout.write(`${JSON.stringify(sorted)}\n`);
  }],
};

const [cmd, ...args] = process.argv.slice(2);
if (!Object.hasOwn(commands, cmd) || commands[cmd][0] !== args.length) {
  process.stderr.write(usage);
  process.exit(2);
}
try {
  await commands[cmd][1](...args);
} catch (e) {
  process.stderr.write(`paseto_interop.mjs: ${cmd}: ${e.stack}\n`);
  process.exit(2);
}
