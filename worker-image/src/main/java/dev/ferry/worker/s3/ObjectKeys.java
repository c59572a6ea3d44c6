package dev.ferry.worker.s3;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FileEntry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The S3 key of a file: {@code <normalizedPrefix>/<relative path>}, or just the path for an empty prefix. */
public final class ObjectKeys {
    /** S3's limit on a key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private ObjectKeys() {
    }

    public static String keyOf(String normalizedPrefix, String relativePath) {
        String path = relativePath.startsWith("/") ? relativePath.substring(1) : relativePath;
        return normalizedPrefix == null || normalizedPrefix.isEmpty() ? path : normalizedPrefix + "/" + path;
    }

    /** The key of an entry's object: a directory's marker ({@code emptyDirectories: Marker}) ends with a slash. */
    public static String keyOf(String normalizedPrefix, FileEntry entry) {
        String key = keyOf(normalizedPrefix, entry.path);
        return entry.kindOrFile() == EntryKind.Directory ? key + "/" : key;
    }

    /**
     * Compares keys as S3 orders them in listings: by their UTF-8 bytes, unsigned. (Java's
     * {@code String.compareTo} orders by UTF-16 units, which differs for characters above U+FFFF.)
     */
    public static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * False when the key has no faithful UTF-8 form: an unpaired surrogate, or the replacement
     * character that Java puts in place of name bytes invalid in the filesystem's encoding (the
     * object would be stored under a name that is not the file's).
     */
    public static boolean encodable(String key) {
        return key.indexOf('\uFFFD') < 0 && StandardCharsets.UTF_8.newEncoder().canEncode(key);
    }

    /**
     * False when the key holds a character that XML 1.0 cannot carry (a C0 control other than tab, newline and
     * CR). A listing holding one is asked for again with URL-encoded keys ({@link Listings}), but the answers to a multipart
     * upload's requests (create, complete, the store's list of uploads) name the key as it is, and no XML
     * parser reads them: such a key can only be written by a single PUT.
     */
    public static boolean carriedByXml(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == '\uFFFE' || c == '\uFFFF') {
                return false;
            }
        }
        return true;
    }

    public static boolean tooLong(String key) {
        return key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES;
    }

    /** The folder of a key, with its trailing slash ("" at the top); a directory marker's is its parent's. */
    public static String folderOf(String key) {
        String name = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash + 1);
    }
}
