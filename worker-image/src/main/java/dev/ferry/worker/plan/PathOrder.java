package dev.ferry.worker.plan;

import java.util.Comparator;

/**
 * The order in which planning emits files: relative paths compared segment by segment, so that it is
 * exactly the order of a depth-first walk that visits each directory's entries sorted by name. A
 * plan's checkpoint ({@link Checkpoint}) is a position in this order, which lets a resumed walk skip
 * whole directories that lie before it.
 */
public final class PathOrder {
    public static final Comparator<String> COMPARATOR = PathOrder::compare;

    private PathOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ea = segmentEnd(a, i);
            int eb = segmentEnd(b, j);
            int c = a.substring(i, ea).compareTo(b.substring(j, eb));
            if (c != 0) {
                return c;
            }
            i = ea + 1;
            j = eb + 1;
        }
        // one is a prefix (an ancestor directory) of the other: the ancestor comes first
        return Boolean.compare(i < a.length(), j < b.length());
    }

    static boolean isAncestor(String dir, String path) {
        return dir.isEmpty() || path.startsWith(dir + "/");
    }

    private static int segmentEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
