package dev.ferry.cli;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.Quantities;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.copy.ByteBudget;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.DryRun;
import dev.ferry.worker.copy.Preview;
import dev.ferry.worker.plan.PlanRunner;
import dev.ferry.worker.plan.SourceWalker;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@code ferry migrate --dry-run}: the job's walk of the source (its globs, minimum age, link policy: the
 * planner's own {@link SourceWalker}) and, against a real store, the Copy tasks' own decision per file
 * ({@link DryRun}: one listing per batch, a HEAD for an object of the same size, under Checksum a read of
 * the file). One tab-separated line per entry on {@code out} (action, path, bytes, reason) and a summary on
 * {@code err}. Nothing is written: no bucket, no object, no job.
 */
final class DryRunPreview {
    static final int BATCH = 1000;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<Preview.Action, long[]> totals = new EnumMap<>(Preview.Action.class);

    DryRunPreview(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        for (Preview.Action action : Preview.Action.values()) {
            totals.put(action, new long[2]);
        }
    }

    /**
     * Against the store the job names, over TLS trusting {@code trust} (null: the JVM's default CAs; --ca-bundle);
     * null credentials: the embedded S3, which every run starts empty.
     */
    int run(Path source, MigrationJob job, AwsCredentialsProvider credentials, TrustManager[] trust) throws Exception {
        SourceWalker walker = new SourceWalker(source, PlanRunner.policy(job, Clock.systemUTC()));
        if (credentials == null) {
            err.println("ferry: dry run: the embedded S3 of a run starts empty: every file found would be copied");
            walk(walker, batch -> batch.stream().map(f -> new Preview(Preview.Action.COPY, f.path, f.sizeOrZero(),
                    "new")).toList());
        } else {
            JobSettings settings = JobSettings.of(job);
            EndpointPool pool = S3ClientFactory.pool(job.getSpec().destination, credentials, trust,
                    settings.concurrency(), EndpointPool.Settings.DEFAULT, S3Metrics.NONE);
            try (CopyEngine engine = new CopyEngine(pool, settings, new ByteBudget(16L << 20))) {
                DryRun dryRun = new DryRun(engine);
                walk(walker, batch -> dryRun.preview(source, batch));
            }
        }
        summarize();
        return 0;
    }

    private interface Decide {
        List<Preview> apply(List<FileEntry> batch) throws Exception;
    }

    private void walk(SourceWalker walker, Decide decide) throws Exception {
        List<FileEntry> batch = new ArrayList<>(BATCH);
        walker.walk("", () -> null, new SourceWalker.Visitor() {
            @Override
            public void file(FileEntry entry) throws Exception {
                batch.add(entry);
                if (batch.size() == BATCH) {
                    decide.apply(batch).forEach(DryRunPreview.this::print);
                    batch.clear();
                }
            }

            @Override
            public boolean enter(String relativePath, int entries) {
                return true;
            }

            @Override
            public void skipped(String relativePath, FailureCode code, String detail) {
                print(Preview.leftOut(relativePath, 0, code + (detail == null ? "" : ": " + detail)));
            }

            @Override
            public void unreadableDirectory(String relativePath, IOException cause) {
                print(Preview.leftOut(relativePath, 0, "the directory cannot be listed: " + cause));
            }
        });
        if (!batch.isEmpty()) {
            decide.apply(batch).forEach(this::print);
        }
    }

    private void print(Preview preview) {
        out.println(String.join("\t", preview.action().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                field(preview.path()), Long.toString(preview.bytes()),
                preview.reason() == null ? "" : field(preview.reason())));
        long[] total = totals.get(preview.action());
        total[0]++;
        total[1] += preview.bytes();
    }

    /**
     * One field of a line: a name may hold a tab or a newline (POSIX allows any byte but '/' and NUL), which would
     * break the one line per file a script reads, so backslash, tab, newline and carriage return are escaped as
     * in C ({@code \\}, {@code \t}, {@code \n}, {@code \r}).
     */
    static String field(String text) {
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private void summarize() {
        long[] copy = totals.get(Preview.Action.COPY);
        long[] skip = totals.get(Preview.Action.SKIP);
        long[] out = totals.get(Preview.Action.LEAVE_OUT);
        err.printf(Locale.ROOT, "ferry: dry run: %d files (%s) would be copied, %d (%s) skipped as already there, "
                + "%d left out; nothing was written%n", copy[0], Quantities.humanBytes(copy[1]), skip[0],
                Quantities.humanBytes(skip[1]), out[0]);
    }

    long count(Preview.Action action) {
        return totals.get(action)[0];
    }
}
