package dev.ferry.worker.copy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.source.markMigrated: Xattr}: once a file's object is verified, the file gets the user
 * extended attribute {@value #ATTRIBUTE} — a JSON object with the object's key, its ETag, the job's UID and
 * the time — as the system before Ferry marked migrated files. A mark is a courtesy for people and tools:
 * Ferry never reads it back, and a file the filesystem cannot mark (no user xattrs, a read-only mount,
 * permissions) stays migrated; the first such failure of a worker is a warning, the rest are counted.
 * Writing an xattr changes the file's ctime only, never its content or mtime.
 */
public final class MigratedMarks {
    /** The attribute's name as getfattr shows it; the Java view names it without the {@code user.} namespace. */
    public static final String ATTRIBUTE = "user.ferry.migrated";
    static final String NAME = "ferry.migrated";
    private static final Logger LOG = LoggerFactory.getLogger(MigratedMarks.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jobUid;
    private final Clock clock;
    private final AtomicLong unmarked = new AtomicLong();

    public MigratedMarks(String jobUid, Clock clock) {
        this.jobUid = jobUid;
        this.clock = clock;
    }

    /** Marks {@code file} as migrated to {@code key}; false when the filesystem would not take the mark. */
    public boolean mark(Path file, String key, String eTag) {
        ObjectNode mark = JSON.createObjectNode();
        mark.put("key", key);
        if (eTag != null) {
            mark.put("etag", eTag);
        }
        if (jobUid != null) {
            mark.put("job", jobUid);
        }
        mark.put("time", clock.instant().toString());
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            if (view == null) {
                throw new UnsupportedOperationException("the filesystem has no user extended attributes");
            }
            view.write(NAME, ByteBuffer.wrap(mark.toString().getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            if (unmarked.getAndIncrement() == 0) {
                LOG.warn("cannot mark migrated files with {} (first: {}: {}); they are migrated all the same, "
                        + "only unmarked", ATTRIBUTE, file, e.toString());
            } else {
                LOG.debug("cannot mark {}: {}", file, e.toString());
            }
            return false;
        }
    }

    /** Files migrated but not marked so far. */
    public long unmarked() {
        return unmarked.get();
    }

    /** The mark on {@code file}, or null: for tests and tools, never for Ferry's decisions. */
    public static String read(Path file) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null || !view.list().contains(NAME)) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(view.size(NAME));
        view.read(NAME, buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
