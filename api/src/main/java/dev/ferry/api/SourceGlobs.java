package dev.ferry.api;

import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;

/**
 * How {@code spec.source.include} and {@code exclude} globs are read (java.nio "glob:" syntax, matched
 * against a path relative to the source path): one definition for the planner that matches with them and
 * the operator that refuses a glob that does not compile. As in rsync and rclone, a leading
 * {@code **}{@code /} also matches zero directories, so {@code **}{@code /*.csv} takes {@code a.csv} as
 * well as {@code x/a.csv}.
 */
public final class SourceGlobs {
    private SourceGlobs() {
    }

    /** The matcher of {@code glob} (stripped); throws {@link java.util.regex.PatternSyntaxException} when it does not compile. */
    public static PathMatcher matcher(String glob) {
        String g = glob.strip();
        PathMatcher full = FileSystems.getDefault().getPathMatcher("glob:" + g);
        if (!g.startsWith("**/")) {
            return full;
        }
        PathMatcher rootLevel = FileSystems.getDefault().getPathMatcher("glob:" + g.substring(3));
        return p -> full.matches(p) || rootLevel.matches(p);
    }
}
