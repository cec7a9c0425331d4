package org.m365mail.transport.graph;

import jakarta.activation.FileDataSource;

import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file attachment that counts how often it is opened, closed and how many bytes are read from it, and that can be
 * made to break while it is read: to end early (a file truncated while the message is sent) or to fail.
 */
final class CountingFileSource extends FileDataSource {

    /** What reading the file does past {@link #breakAt} bytes of one stream. */
    enum Breakage { NONE, ENDS, IO_EXCEPTION, RUNTIME_EXCEPTION }

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final AtomicLong bytesRead = new AtomicLong();
    private volatile Breakage breakage = Breakage.NONE;
    private volatile long breakAt = Long.MAX_VALUE;

    private volatile long sizedAs = -1;

    CountingFileSource(File file) {
        super(file);
    }

    /** The file as seen when the message is measured: {@code size} bytes long, though it has more to read. */
    CountingFileSource sizedAs(long size) {
        this.sizedAs = size;
        return this;
    }

    @Override
    public File getFile() {
        long size = sizedAs;
        File file = super.getFile();
        return size < 0 ? file : new File(file.getPath()) {
            @Override
            public long length() {
                return size;
            }
        };
    }

    @Override
    public String getContentType() {
        return "application/octet-stream";
    }

    /** From now on, each new stream breaks as {@code how} after {@code at} bytes. */
    CountingFileSource breakAfter(long at, Breakage how) {
        this.breakAt = at;
        this.breakage = how;
        return this;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        opened.incrementAndGet();
        long limit = breakAt;
        Breakage how = breakage;
        return new FilterInputStream(super.getInputStream()) {
            private long position;
            private boolean isClosed;

            private int allowed(int wanted) throws IOException {
                long left = limit - position;
                if (how == Breakage.NONE) {
                    return wanted;
                }
                if (left > 0) {
                    return (int) Math.min(wanted, left);
                }
                switch (how) {
                    case ENDS -> {
                        return -1;
                    }
                    case IO_EXCEPTION -> throw new IOException("the disk went away under the attachment");
                    default -> throw new UncheckedIOException(new IOException("the attachment's store failed"));
                }
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = allowed(len);
                if (n < 0) {
                    return -1;
                }
                int got = super.read(b, off, n);
                if (got > 0) {
                    position += got;
                    bytesRead.addAndGet(got);
                }
                return got;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                position += skipped;
                return skipped;
            }

            @Override
            public void close() throws IOException {
                if (!isClosed) {
                    isClosed = true;
                    closed.incrementAndGet();
                }
                super.close();
            }
        };
    }
}
