package dev.ferry.worker.s3;

import dev.ferry.worker.source.SourceStat;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user metadata Ferry stores with an object, in rclone's conventions so that rclone (and a later
 * Ferry Sync) can compare without reading the data:
 * <ul>
 *   <li>{@code mtime}: the file's modification time as epoch seconds with a nanosecond fraction,
 *       e.g. {@code 1700000000.123456789} (rclone's format, which it reads back as the object's time);</li>
 *   <li>{@code md5chksum}: base64 of the MD5 of the whole file, which rclone uses to check multipart
 *       objects whose ETag is not an MD5;</li>
 *   <li>{@code mode} (octal {@code st_mode}, e.g. {@code 100644}), {@code uid} and {@code gid}
 *       (decimal), as rclone's local backend writes them with {@code --metadata}, so a restore can put
 *       ownership and permissions back;</li>
 *   <li>{@code symlink-target}, only on the object of a stored symbolic link: the link's text,
 *       percent-encoded ({@link #encodeHeaderValue}) because S3 metadata travels as HTTP headers, which
 *       carry printable ASCII only. The object's body holds the text unencoded.</li>
 * </ul>
 */
public final class ObjectMetadata {
    public static final String MTIME = "mtime";
    public static final String MD5 = "md5chksum";
    public static final String MODE = "mode";
    public static final String UID = "uid";
    public static final String GID = "gid";
    public static final String SYMLINK_TARGET = "symlink-target";
    /**
     * The ctime (status change time) of the file version the object holds, as {@link #formatMtime} writes it; stored
     * with the POSIX attributes. A file whose ctime is still this one has not been written since (every write sets
     * ctime, and nothing sets it back), so a Sync skips it without reading it for its MD5. Kernels keep ctime in
     * coarse ticks (milliseconds), so two writes within one tick can leave one ctime: it is recorded only for a
     * version that had not changed for {@link #CTIME_SETTLED} when its object was made; a fresher file is read by
     * the next Sync instead.
     */
    public static final String CTIME = "ferry-ctime";
    static final Duration CTIME_SETTLED = Duration.ofSeconds(2);
    /**
     * The job run that wrote the object ({@code JobSettings.objectWriter}): a later holder of one of that run's tasks
     * reports it copied, not skipped.
     */
    public static final String JOB = "ferry-job";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** mtimes closer than this are the same: rclone writes them through a float64. */
    static final BigDecimal MTIME_TOLERANCE_SECONDS = new BigDecimal("0.000001");

    private ObjectMetadata() {
    }

    public static Map<String, String> of(FileTime mtime, byte[] md5) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MTIME, formatMtime(mtime));
        if (md5 != null) {
            m.put(MD5, Base64.getEncoder().encodeToString(md5));
        }
        return m;
    }

    /** {@code metadata} with {@link #JOB} set to {@code writer}; unchanged when it is null. */
    public static Map<String, String> withJob(Map<String, String> metadata, String writer) {
        if (writer == null) {
            return metadata;
        }
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(JOB, writer);
        return m;
    }

    /** Everything Ferry stores about the file: mtime, mode, uid, gid, ctime, and the MD5 when known. */
    public static Map<String, String> of(SourceStat stat, byte[] md5) {
        Map<String, String> m = of(stat.mtime(), md5);
        if (stat.ctime() instanceof FileTime ctime && ctime.toInstant().isBefore(Instant.now().minus(CTIME_SETTLED))) {
            m.put(CTIME, formatMtime(ctime));
        }
        if (stat.mode() != null) {
            m.put(MODE, Integer.toOctalString(stat.mode()));
        }
        if (stat.uid() != null) {
            m.put(UID, Integer.toString(stat.uid()));
        }
        if (stat.gid() != null) {
            m.put(GID, Integer.toString(stat.gid()));
        }
        return m;
    }

    /**
     * A text as a metadata value: UTF-8, with every byte that is not printable ASCII, and the space and
     * {@code %}, written as {@code %XX} (upper-case hex) — so the value survives any HTTP hop (no
     * leading or trailing blank to trim, no 8-bit byte to mangle) and URL-decoding always gives the text
     * back. A plain ASCII text such as {@code ../shared/config.yaml} is stored as it is.
     */
    public static String encodeHeaderValue(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** The text an {@link #encodeHeaderValue encoded} value stands for. */
    public static String decodeHeaderValue(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public static String formatMtime(FileTime mtime) {
        Instant t = mtime.toInstant();
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9)).toPlainString();
    }

    /** The stored mtime value in epoch milliseconds (rounded down), or null when it is not one. */
    public static Long mtimeMillis(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return new BigDecimal(stored.strip()).movePointRight(3).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** True when the stored mtime value denotes the same time as {@code mtime}. */
    public static boolean sameMtime(String stored, FileTime mtime) {
        if (stored == null) {
            return false;
        }
        try {
            BigDecimal diff = new BigDecimal(stored.strip()).subtract(new BigDecimal(formatMtime(mtime))).abs();
            return diff.compareTo(MTIME_TOLERANCE_SECONDS) < 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
