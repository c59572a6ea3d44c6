package dev.ferry.worker.copy;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FileEntry;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.source.SourceStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A source entry that is stored as a small object made up here rather than read from a file: a
 * symbolic link ({@code spec.source.symlinks: Store}) or an empty directory ({@code emptyDirectories:
 * Marker}), as read from the source at one moment — the lstat of the path (never followed) and, for a
 * link, its text.
 * <ul>
 *   <li>a link: the object at the link's key, its body the link's text in UTF-8, with
 *       {@link ObjectMetadata#SYMLINK_TARGET} beside the usual metadata (of the link itself);</li>
 *   <li>a directory: a zero-byte marker at {@code <key>/}, the S3 console's and
 *       {@code rclone --s3-directory-markers}' convention, with the directory's metadata.</li>
 * </ul>
 */
record EntryObject(EntryKind kind, SourceStat stat, String linkText) {

    /** The key of an entry's object: a directory's marker ends with a slash. */
    static String keyOf(String prefix, FileEntry entry) {
        return ObjectKeys.keyOf(prefix, entry);
    }

    /** Reads the entry at {@code path} now: its lstat and, when it is a link, its text. */
    static EntryObject read(EntryKind kind, Path path) throws IOException {
        SourceStat stat = SourceStat.of(path);
        String text = stat.symbolicLink() ? Files.readSymbolicLink(path).toString() : null;
        return new EntryObject(kind, stat, text);
    }

    /** True when the path still is what planning found: a link, or a directory. */
    boolean isStillItsKind() {
        return kind == EntryKind.Symlink ? stat.symbolicLink() : stat.directory();
    }

    String kindName() {
        return kind == EntryKind.Symlink ? "symbolic link" : "directory";
    }

    /** The object's bytes: the link's text, or nothing for a marker. */
    byte[] body() {
        return linkText == null ? new byte[0] : linkText.getBytes(StandardCharsets.UTF_8);
    }

    /** The object's user metadata: {@code ofTheEntry} (of its {@link #stat()}), and a link's text. */
    Map<String, String> metadata(Map<String, String> ofTheEntry) {
        Map<String, String> metadata = new LinkedHashMap<>(ofTheEntry);
        if (linkText != null) {
            metadata.put(ObjectMetadata.SYMLINK_TARGET, ObjectMetadata.encodeHeaderValue(linkText));
        }
        return metadata;
    }

    /**
     * The same version of the entry: a link with the same text and lstat (replacing a link changes its
     * inode and ctime). For a directory only its identity counts — adding a file to it changes its mtime,
     * but the marker stands for the directory, not its contents.
     */
    boolean sameVersionAs(EntryObject other) {
        if (kind == EntryKind.Directory) {
            return Objects.equals(stat.fileKey(), other.stat.fileKey()) && other.stat.directory();
        }
        return stat.sameVersionAs(other.stat) && Objects.equals(linkText, other.linkText);
    }
}
