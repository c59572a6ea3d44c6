// CPU per file of the check that a task's path stays under the source (SourcePaths.within: its directory must
// resolve under the source's real path), two ways, one thread, every regular file under ROOT, four rounds:
//   realpath: the directory's and the source's real paths, as SourcePaths does (a readlink per component from /);
//   lstat walk: one lstat per directory below the source, a full resolution only when one of them is a link.
// Tried in session 36 and not adopted (docs/benchmarks.md): the walk saves 8 us per file four levels below a
// source four levels deep (the benchmark's tree) and costs more than realpath on deeper trees under a shallow
// mount, a worker pod's layout. Not part of the build:
//   javac -d /tmp/pathcheck e2e/bench/pathcheck/PathCheckBench.java
//   java -cp /tmp/pathcheck PathCheckBench /tmp/ferry-bench/data/small
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.*;
import java.util.stream.*;

public class PathCheckBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        List<Path> directories;
        try (Stream<Path> s = Files.walk(root)) {
            directories = s.filter(Files::isRegularFile).map(Path::getParent).collect(Collectors.toList());
        }
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 4; round++) {
            long c0 = bean.getCurrentThreadCpuTime();
            for (Path d : directories) check(realpath(d, root));
            long c1 = bean.getCurrentThreadCpuTime();
            for (Path d : directories) check(lstatWalk(d, root));
            long c2 = bean.getCurrentThreadCpuTime();
            System.out.printf("round %d: %d files, source %d levels deep, realpath %.1f us/file, lstat walk %.1f us/file%n",
                    round, directories.size(), root.getNameCount(), (c1 - c0) / 1e3 / directories.size(),
                    (c2 - c1) / 1e3 / directories.size());
        }
    }

    static void check(boolean under) {
        if (!under) throw new AssertionError("a directory resolved outside the source");
    }

    static boolean realpath(Path directory, Path root) {
        try {
            return directory.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            return true;
        }
    }

    static boolean lstatWalk(Path directory, Path root) {
        Path on = root;
        for (Path name : root.relativize(directory)) {
            on = on.resolve(name);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(on, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return true;
            }
            if (attributes.isSymbolicLink()) return realpath(directory, root);
            if (!attributes.isDirectory()) return true;
        }
        return true;
    }
}
