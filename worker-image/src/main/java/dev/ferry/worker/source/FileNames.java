package dev.ferry.worker.source;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;

/**
 * File names as the walk hands them on. A POSIX name is bytes; S3 keys, task specs and manifests are UTF-8
 * text. The JDK decodes a name with the locale's charset ({@code sun.jnu.encoding}, which no {@code -D} can
 * change), so a worker must run in a UTF-8 locale ({@link #requireUtf8}), and even then a name holding bytes
 * that are not UTF-8 (Latin-1 names from an old NAS, say) decodes to a string that no longer names the file:
 * opening it finds nothing, and a walk that took that for "deleted meanwhile" would leave the file out
 * silently. {@link #of} gives such a name a form that is unique and marked — each stray byte as U+FFFD
 * followed by its two hex digits ({@code caf\xE9.txt} becomes {@code caf\uFFFDE9.txt}) — so the file is
 * planned, fails alone with {@code NAME_NOT_ENCODABLE} (a key may not hold U+FFFD), and is named in the
 * failure report in a form a user can find.
 */
public final class FileNames {
    /** What every undecodable byte of a name starts with, and what makes a key unstorable. */
    public static final char REPLACEMENT = '\uFFFD';
    /** The JVM's charset for file names, set from the locale at start. */
    public static final String CHARSET_PROPERTY = "sun.jnu.encoding";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private FileNames() {
    }

    /**
     * Fails unless file names decode as UTF-8 here: under another charset (the POSIX locale's ASCII, when
     * {@code LANG} is unset) names with any non-ASCII byte cannot be opened from their decoded form.
     *
     * @param fileNameCharset the JVM's {@code sun.jnu.encoding}
     */
    public static void requireUtf8(String fileNameCharset) {
        if (!isUtf8(fileNameCharset)) {
            throw new IllegalArgumentException("file names are decoded as " + fileNameCharset
                    + " (the locale's charset), so a name with any non-ASCII byte could not be read: start the"
                    + " worker in a UTF-8 locale, e.g. LANG=C.UTF-8 (the worker image sets it)");
        }
    }

    /** Whether {@code charset} (a {@code sun.jnu.encoding}) is UTF-8. */
    public static boolean isUtf8(String charset) {
        return charset != null && charset.replace("-", "").toUpperCase(Locale.ROOT).equals("UTF8");
    }

    /** The name of {@code entry} (from a directory listing): its text, or the marked form when that text does not name it. */
    public static String of(Path entry) {
        String name = entry.getFileName().toString();
        if (name.indexOf(REPLACEMENT) < 0 || namesEntry(entry, name)) {
            return name; // the usual case: in a UTF-8 locale only a stray byte decodes to U+FFFD
        }
        return marked(rawName(entry));
    }

    /** Whether {@code name} holds U+FFFD: a stray byte's mark (or, rarely, the character itself); never a storable key. */
    public static boolean hasReplacement(String name) {
        return name.indexOf(REPLACEMENT) >= 0;
    }

    /** The bytes decoded as UTF-8, each byte that is not part of a valid sequence as U+FFFD and two hex digits. */
    static String marked(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length * 3);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            // malformed or unmappable: mark the first byte only and go on from the next, which may start a
            // valid sequence
            byte stray = in.get();
            out.put(REPLACEMENT).put(HEX.toHexDigits(stray));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static boolean namesEntry(Path entry, String name) {
        try {
            return entry.resolveSibling(name).equals(entry);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /**
     * The bytes of the entry's name. The JDK keeps them but shows them only through {@link Path#toUri}, which
     * percent-encodes every byte outside a few ASCII characters (and adds a slash after a directory).
     */
    static byte[] rawName(Path entry) {
        String uri = entry.toAbsolutePath().toUri().getRawPath();
        if (uri.endsWith("/")) {
            uri = uri.substring(0, uri.length() - 1);
        }
        String encoded = uri.substring(uri.lastIndexOf('/') + 1);
        ByteBuffer bytes = ByteBuffer.allocate(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                bytes.put((byte) HexFormat.fromHexDigits(encoded, i + 1, i + 3));
                i += 2;
            } else {
                bytes.put((byte) c);
            }
        }
        byte[] raw = new byte[bytes.position()];
        bytes.flip().get(raw);
        return raw;
    }
}
