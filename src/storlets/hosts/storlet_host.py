# The Python side of a storlet invocation: OpenStack Storlets' Python interface 1.0
# (storlets/agent/daemon/files.py and server.py), re-implemented so that a storlet written for
# upstream runs unmodified. Started once per invocation, inside the sandbox, by skybutler's
# storlet-process.ts; it imports nothing but the standard library.
#
# File descriptors (set up by the parent):
#   3  control: one JSON object (main, dir, params, inputs' metadata, restrictions), then EOF
#   4  events: JSON lines to the parent ({"t": "metadata", "md": {...}})
#   5  the output's bytes
#   6… one per input, its bytes (EOF at its end)
#   1, 2  the log (stdout is redirected there too: a print() never reaches the output)
import copy
import importlib
import json
import os
import sys
import traceback

MAX_METADATA_BYTES = 4096
CHUNK = 65536


class StorletLogger(object):
    """Upstream's logger: debug/info/warn/warning/error, each line '<module.Class> <LEVEL>: <msg>'."""

    def __init__(self, name, stream):
        self._name = name
        self._stream = stream

    def _emit(self, level, msg):
        # upstream writes no newline; one line per message is what a reader of the log expects
        self._stream.write('%s %s: %s\n' % (self._name, level, msg))
        self._stream.flush()

    def debug(self, msg):
        self._emit('DEBUG', msg)

    def info(self, msg):
        self._emit('INFO', msg)

    def warn(self, msg):
        self._emit('WARN', msg)

    def warning(self, msg):
        self._emit('WARNING', msg)

    def error(self, msg):
        self._emit('ERROR', msg)

    def exception(self, msg):
        raise NotImplementedError('exception is not supported')


class StorletFile(object):
    def __init__(self, fd):
        self._fd = fd
        self._closed = False

    @property
    def closed(self):
        return self._closed

    def fileno(self):
        return self._fd

    def close(self):
        if not self._closed:
            self._closed = True
            try:
                os.close(self._fd)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class StorletInputFile(StorletFile):
    """An input: bytes read from a pipe, and the object's user metadata (Title-Case keys)."""

    def __init__(self, metadata, fd):
        super(StorletInputFile, self).__init__(fd)
        self._metadata = metadata
        self._buffer = b''
        self._eof = False

    def get_metadata(self):
        return copy.deepcopy(self._metadata)

    def _fill(self):
        if self._eof:
            return False
        data = os.read(self._fd, CHUNK)
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    def read(self, size=-1):
        if self._closed:
            raise ValueError('I/O operation on closed file')
        if size is None or size < 0:
            parts = [self._buffer]
            self._buffer = b''
            while not self._eof:
                data = os.read(self._fd, CHUNK)
                if not data:
                    self._eof = True
                else:
                    parts.append(data)
            return b''.join(parts)
        while len(self._buffer) < size and self._fill():
            pass
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def readline(self, size=-1):
        if self._closed:
            raise ValueError('I/O operation on closed file')
        while True:
            end = self._buffer.find(b'\n')
            if end >= 0:
                cut = end + 1
                break
            if size is not None and 0 <= size <= len(self._buffer):
                cut = size
                break
            if not self._fill():
                cut = len(self._buffer)
                break
        if size is not None and size >= 0:
            cut = min(cut, size)
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out

    def readlines(self, sizehint=-1):
        # upstream adds to the hint instead of counting towards it; here a positive hint stops
        # after the line that reaches it, as io.IOBase.readlines does
        lines = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if sizehint is not None and 0 < sizehint <= total:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        # upstream yields read() (everything left); chunks give the same bytes in bounded memory
        data = self.read(CHUNK)
        if not data:
            raise StopIteration
        return data

    next = __next__

    def write(self, *args, **kwargs):
        raise NotImplementedError('write is not supported on an input file')

    def writelines(self, *args, **kwargs):
        raise NotImplementedError('writelines is not supported on an input file')

    def seek(self, *args, **kwargs):
        raise NotImplementedError('seek is not supported on an input file')

    def flush(self, *args, **kwargs):
        raise NotImplementedError('flush is not supported on an input file')

    def set_metadata(self, *args, **kwargs):
        raise NotImplementedError('set_metadata is not supported on an input file')


class StorletOutputFile(StorletFile):
    """The output: metadata once and before any byte, then the bytes."""

    def __init__(self, events, fd):
        super(StorletOutputFile, self).__init__(fd)
        self._events = events
        self._metadata = None

    def set_metadata(self, metadata):
        if self._metadata is not None:
            raise IOError('Sending metadata twice is not allowed')
        encoded = json.dumps(metadata)
        if len(encoded.encode('utf-8')) > MAX_METADATA_BYTES:
            raise IOError('Metadata is too large: %d bytes of JSON, at most %d are allowed'
                          % (len(encoded.encode('utf-8')), MAX_METADATA_BYTES))
        self._metadata = copy.deepcopy(metadata)
        self._events.write(('{"t":"metadata","md":%s}\n' % encoded).encode('utf-8'))
        self._events.flush()

    def get_metadata(self):
        if self._metadata is None:
            raise IOError('Metadata is not set yet')
        return copy.deepcopy(self._metadata)

    def write(self, data):
        if self._metadata is None:
            raise IOError('Body should be sent after metadata is sent')
        if self._closed:
            raise ValueError('I/O operation on closed file')
        if isinstance(data, str):
            data = data.encode('utf-8')
        view = memoryview(data)
        while len(view):
            n = os.write(self._fd, view)
            view = view[n:]

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def read(self, *args, **kwargs):
        raise NotImplementedError('read is not supported on an output file')

    def readline(self, *args, **kwargs):
        raise NotImplementedError('readline is not supported on an output file')

    def readlines(self, *args, **kwargs):
        raise NotImplementedError('readlines is not supported on an output file')


def restrict(allowed):
    """Where no sandbox namespace could be made: an audit hook refusing sockets, new processes and
    files outside the storlet's own directory and the interpreter's libraries."""
    roots = tuple(os.path.realpath(p) for p in allowed)

    def inside(path):
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == r or real.startswith(r.rstrip('/') + '/') for r in roots)

    def hook(event, args):
        if event.startswith('socket.') or event in (
                'subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn',
                'os.fork', 'os.forkpty', 'pty.spawn', 'ctypes.dlopen', 'os.remove', 'os.rename',
                'os.rmdir', 'os.mkdir', 'os.symlink', 'os.link', 'os.chmod', 'os.chown',
                'os.truncate', 'os.utime', 'os.chdir', 'shutil.rmtree', 'shutil.copyfile',
                'shutil.move', 'os.kill', 'os.killpg'):
            raise PermissionError('storlet sandbox: %s is not allowed' % event)
        if event == 'open' and args and isinstance(args[0], (str, bytes)):
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else 'r'
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writes = any(c in mode for c in 'wax+') or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if writes or not inside(args[0]):
                raise PermissionError('storlet sandbox: no access to %r' % (args[0],))
        if event in ('os.listdir', 'os.scandir') and args and isinstance(args[0], (str, bytes)) \
                and not inside(args[0]):
            raise PermissionError('storlet sandbox: no access to %r' % (args[0],))

    sys.addaudithook(hook)


def main():
    with os.fdopen(3, 'rb') as control:
        spec = json.loads(control.read().decode('utf-8'))
    events = os.fdopen(4, 'wb', buffering=0)
    log = sys.stderr
    sys.stdout = log
    if spec.get('restrict'):
        restrict(spec['allowed'])
    module_name, class_name = spec['main'].split('.', 1)
    sys.path.insert(0, spec['dir'])
    params = dict(spec['params'])
    params['storlet_execution_path'] = spec['dir']
    in_files = [StorletInputFile(md, fd) for md, fd in zip(spec['inputs'], spec['inputFds'])]
    out_file = StorletOutputFile(events, 5)
    try:
        module = importlib.import_module(module_name)
        storlet_class = getattr(module, class_name)
        storlet = storlet_class(StorletLogger(spec['main'], log))
        storlet(in_files, [out_file], params)
    except BaseException:
        log.write('%s raised:\n%s' % (spec['main'], traceback.format_exc()))
        log.flush()
        os._exit(1)
    for f in in_files:
        f.close()
    out_file.close()
    events.close()
    log.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
