package dev.ferry.worker.plan;

/**
 * A plan's checkpoint: the position in {@link PathOrder} up to which every entry is covered by a task the
 * plan created. It is one of
 * <ul>
 *   <li>a file path ({@code d/x.dat}): that file and everything before it;</li>
 *   <li>a directory with a trailing slash ({@code d/}): the directory's whole subtree and everything
 *       before it — written when the subtree was handed to a child Plan task.</li>
 * </ul>
 * No file path ends with a slash, so the two cannot be confused, and {@code d/} reads as "through d/"
 * in {@code kubectl get -o yaml}.
 */
final class Checkpoint {
    private Checkpoint() {
    }

    /** The position just after the whole subtree of {@code directory}. */
    static String subtree(String directory) {
        return directory + "/";
    }

    static boolean isSubtree(String checkpoint) {
        return checkpoint != null && checkpoint.endsWith("/");
    }

    /** The directory of a subtree position. */
    static String subtreeDirectory(String checkpoint) {
        return checkpoint.substring(0, checkpoint.length() - 1);
    }

    /** Orders two positions (paths or subtree ends) in walk order. */
    static int compare(String a, String b) {
        boolean endA = isSubtree(a);
        boolean endB = isSubtree(b);
        String pa = endA ? subtreeDirectory(a) : a;
        String pb = endB ? subtreeDirectory(b) : b;
        if (!endA && !endB) {
            return PathOrder.compare(pa, pb);
        }
        if (pa.equals(pb)) {
            return Boolean.compare(endA, endB); // a directory comes before the end of its subtree
        }
        if (endA && PathOrder.isAncestor(pa, pb)) {
            return 1; // b lies inside a's subtree, whose end comes after it
        }
        if (endB && PathOrder.isAncestor(pb, pa)) {
            return -1;
        }
        return PathOrder.compare(pa, pb);
    }

    /** True when {@code path} is not covered yet (null checkpoint: nothing is). */
    static boolean after(String path, String checkpoint) {
        return checkpoint == null || compare(path, checkpoint) > 0;
    }

    /** True when every entry under {@code directory} is covered: the walk need not list it. */
    static boolean coversWholeDirectory(String directory, String checkpoint) {
        return checkpoint != null && compare(subtree(directory), checkpoint) <= 0;
    }

    /** True when some entry under {@code directory} is covered already (so it must not be handed off whole). */
    static boolean coversAnyOf(String directory, String checkpoint) {
        return checkpoint != null && compare(directory, checkpoint) <= 0;
    }

    /** The later of two positions (null: none). */
    static String max(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return compare(a, b) >= 0 ? a : b;
    }
}
