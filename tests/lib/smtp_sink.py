"""smtp_sink.py — a real SMTP server for the e-mail tests and benchmarks:
Debian's python3-aiosmtpd on 127.0.0.1:PORT, accepting every message into a
Maildir (as a delivery agent would: Return-Path and Delivered-To first).
Addresses starting with "refuse" get a permanent 550, "busy" a temporary
451. The number of SMTP connections opened so far is kept in
MAILDIR/connections. Prints "ready PORT" once listening.

Usage: python3 smtp_sink.py PORT MAILDIR   (PORT 0: any free port)
"""
import asyncio, os, socket, sys, time
from aiosmtpd.smtp import SMTP

port, maildir = int(sys.argv[1]), sys.argv[2]
for d in ('tmp', 'new', 'cur'):
    os.makedirs(os.path.join(maildir, d), exist_ok=True)
state = {'n': 0, 'connections': 0}

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('refuse'):
            return '550 5.1.1 No such mailbox'
        if address.startswith('busy'):
            return '451 4.3.0 Try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        state['n'] += 1
        name = '%d.%06d.%d.sink' % (time.time(), state['n'], os.getpid())
        head = 'Return-Path: <%s>\r\nDelivered-To: %s\r\n' % (envelope.mail_from, ', '.join(envelope.rcpt_tos))
        tmp = os.path.join(maildir, 'tmp', name)
        with open(tmp, 'wb') as f:
            f.write(head.encode() + envelope.original_content)
        os.rename(tmp, os.path.join(maildir, 'new', name))
        return '250 OK: queued as %d' % state['n']

class Counting(SMTP):
    def connection_made(self, transport):
        state['connections'] += 1
        with open(os.path.join(maildir, 'connections'), 'w') as f:
            f.write(str(state['connections']))
        super().connection_made(transport)

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(('127.0.0.1', port))
sock.listen(128)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
server = loop.run_until_complete(loop.create_server(
    lambda: Counting(Handler(), hostname='sink.test', data_size_limit=10485760), sock=sock))
print('ready %d' % sock.getsockname()[1], flush=True)
loop.run_forever()
