#!/usr/bin/python3
"""Plain-FTP test server (pyftpdlib) on 127.0.0.1.

Binds the given port (0 = a free one), writes the port it got to --port-file once it accepts connections, logs to
stderr. Users are name:password:perm with pyftpdlib permission letters (elradfmwMT = full, elr = read-only);
name and password may contain any character except a newline (':' is allowed in the password).
"""
import argparse
import logging
import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--root', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--port-file', required=True)
    parser.add_argument('--user', action='append', default=[], help='name:password:perm (name must not contain ":")')
    parser.add_argument('--user-hex', action='append', default=[], help='hex(name):hex(password):perm')
    parser.add_argument('--no-mlsd', action='store_true', help='offer only LIST, like servers without RFC 3659')
    parser.add_argument('--verbose', action='store_true', help='log every command')
    parser.add_argument('--throttle', type=int, default=0, help='bytes per second on data connections (0 = unlimited)')
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.INFO, format='%(message)s')
    authorizer = DummyAuthorizer()
    for spec in args.user:
        name, rest = spec.split(':', 1)
        password, perm = rest.rsplit(':', 1)
        authorizer.add_user(name, password, args.root, perm=perm)
    for spec in args.user_hex:
        name, password, perm = spec.split(':')
        authorizer.add_user(bytes.fromhex(name).decode(), bytes.fromhex(password).decode(), args.root, perm=perm)

    handler = FTPHandler
    handler.authorizer = authorizer
    handler.auth_failed_timeout = 0.1
    handler.permit_foreign_addresses = False
    if args.no_mlsd:
        handler.proto_cmds = {k: v for k, v in handler.proto_cmds.items() if k not in ('MLSD', 'MLST')}
    if args.throttle:
        dtp = ThrottledDTPHandler
        dtp.read_limit = args.throttle
        dtp.write_limit = args.throttle
        handler.dtp_handler = dtp
    server = FTPServer(('127.0.0.1', args.port), handler)
    server.max_cons = 256
    port = server.socket.getsockname()[1]
    tmp = args.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == '__main__':
    main()
