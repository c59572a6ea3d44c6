package dev.ferry.worker.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;

/**
 * What identifies one version of a source file: size, mtime, ctime and inode (where the platform has
 * them). Taken before and after reading; any difference means the bytes read may be torn. Also the
 * owner and permission bits ({@code mode}, {@code uid}, {@code gid}; null where the platform has no
 * unix view), stored as object metadata. Links are not followed: for a link this is the link itself
 * (lstat), whose kind says what the path is now.
 */
public record SourceStat(boolean regularFile, long size, FileTime mtime, Object ctime, Object fileKey,
                         Integer mode, Integer uid, Integer gid, boolean directory, boolean symbolicLink) {

    public static SourceStat of(Path file) throws IOException {
        try {
            Map<String, Object> unix = Files.readAttributes(file,
                    "unix:isRegularFile,isDirectory,isSymbolicLink,size,lastModifiedTime,ctime,ino,dev,mode,uid,gid",
                    LinkOption.NOFOLLOW_LINKS);
            return new SourceStat((Boolean) unix.get("isRegularFile"), (Long) unix.get("size"),
                    (FileTime) unix.get("lastModifiedTime"), unix.get("ctime"), unix.get("dev") + ":" + unix.get("ino"),
                    (Integer) unix.get("mode"), (Integer) unix.get("uid"), (Integer) unix.get("gid"),
                    (Boolean) unix.get("isDirectory"), (Boolean) unix.get("isSymbolicLink"));
        } catch (UnsupportedOperationException e) {
            BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new SourceStat(basic.isRegularFile(), basic.size(), basic.lastModifiedTime(), null, basic.fileKey(),
                    null, null, null, basic.isDirectory(), basic.isSymbolicLink());
        }
    }

    public boolean sameVersionAs(SourceStat other) {
        return size == other.size && mtime.equals(other.mtime) && Objects.equals(ctime, other.ctime)
                && Objects.equals(fileKey, other.fileKey);
    }

    /**
     * Whether the two differ in ctime only: the same inode, size, mtime, owner and permission bits. That
     * is what adding or removing a hard link of the file does (a Move deleting another name of it), or
     * setting an extended attribute, but also a rewrite that put the mtime back: only the bytes tell.
     */
    public boolean differsInCtimeOnly(SourceStat other) {
        return size == other.size && mtime.equals(other.mtime) && Objects.equals(fileKey, other.fileKey)
                && Objects.equals(mode, other.mode) && Objects.equals(uid, other.uid) && Objects.equals(gid, other.gid)
                && ctime != null && !ctime.equals(other.ctime);
    }
}
