#!/usr/bin/env python3
"""Recompute PCR 8 and 9 of a measured pvboot UEFI boot from the files and command line, replaying the logged events, and compare with the PCRs the loader read back (docs/secure-boot.md)."""
import argparse
import hashlib
import re
import sys

EVENT = re.compile(r'^tpm: log PCR(\d+) type (0x[0-9a-f]+|0) sha256 ([0-9a-f]{64}|\(none\)) "(.*)"$')
PCR = re.compile(r'^tpm: PCR(\d+) sha256 ([0-9a-f]{64})$')
CMDLINE = re.compile(r'^cmdline: "(.*)"$')
RESULT = re.compile(r'^PVBOOT RESULT (.*)$')


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read_log(path):
    events, pcrs, cmdline, result = [], {}, None, {}
    with open(path, 'rb') as f:
        for raw in f:
            line = raw.decode('latin-1').rstrip('\r\n').replace('\r', '')
            if m := EVENT.match(line):
                events.append((int(m[1]), m[3], m[4]))
            elif m := PCR.match(line):
                pcrs[int(m[1])] = m[2]
            elif (m := CMDLINE.match(line)) and cmdline is None:
                cmdline = m[1]
            elif m := RESULT.match(line):
                result = dict(w.split('=', 1) for w in m[1].split() if '=' in w)
    return events, pcrs, cmdline, result


def expected_events(args, cmdline, result):
    """Our events: description (prefix) -> (PCR, digest recomputed here)."""
    rom = sha(open(args.rom, 'rb').read()) if args.rom else None
    backend = 'pvboot: backend=%s forced=%s rom-sha256=%s' % (
        result.get('backend', '?'), result.get('forced', '?'), rom or 'none')
    want = {
        'pvboot: kernel /boot/pvkernel.elf': (9, sha(open(args.kernel, 'rb').read())),
        'pvboot: cmdline ': (8, sha(cmdline.encode())),
        backend: (8, sha(backend.encode())),
    }
    if args.config:
        want['pvboot: config /boot/pvboot.cfg'] = (8, sha(open(args.config, 'rb').read()))
    if args.rom:
        want['pvboot: VMI ROM fw_cfg genroms/'] = (9, rom)
    return want


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('log', help='serial log of a boot with a TPM and loader=verbose')
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--config', help='the /boot/pvboot.cfg on the image')
    ap.add_argument('--rom', help='the VMI ROM given to QEMU with -option-rom')
    args = ap.parse_args()

    events, pcrs, cmdline, result = read_log(args.log)
    if cmdline is None or not result:
        sys.exit('pcr-replay: %s: no kernel cmdline line or result line' % args.log)
    want = expected_events(args, cmdline, result)
    seen, bad = set(), []
    replay = {8: bytes(32), 9: bytes(32)}
    for pcr, digest, desc in events:
        key = next((k for k in want if desc == k or (k.endswith(' ') or k.endswith('/')) and desc.startswith(k)), None)
        if key is not None:
            wpcr, wdigest = want[key]
            seen.add(key)
            if pcr != wpcr or digest != wdigest:
                bad.append('event "%s": PCR%d sha256 %s in the log, recomputed PCR%d %s' %
                           (desc, pcr, digest, wpcr, wdigest))
            digest = wdigest
        elif digest == '(none)':
            bad.append('event "%s" in PCR%d has no SHA-256 digest' % (desc, pcr))
            continue
        replay[pcr] = hashlib.sha256(replay[pcr] + bytes.fromhex(digest)).digest()
    bad += ['event "%s" is missing from the log' % k.strip() for k in want if k not in seen]
    for n in (8, 9):
        if n not in pcrs:
            bad.append('PCR%d was not read back' % n)
        elif pcrs[n] != replay[n].hex():
            bad.append('PCR%d: read back %s, recomputed %s' % (n, pcrs[n], replay[n].hex()))
        else:
            print('pcr-replay: PCR%d %s matches the recomputation' % (n, pcrs[n]))
    for b in bad:
        print('pcr-replay: ' + b)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
