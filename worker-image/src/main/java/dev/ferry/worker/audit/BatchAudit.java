package dev.ferry.worker.audit;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FailureReportLine;
import dev.ferry.api.FileEntry;
import dev.ferry.worker.copy.FileCopier;
import dev.ferry.worker.copy.FileOutcome;
import dev.ferry.worker.source.SourcePaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit of one batch of planned entries (a manifest, or a stretch of the source's walk): checked
 * against the destination ({@link DestinationCheck}); each one missing or different copied once more, as a
 * Copy task would copy it, and checked again; what is still wrong is reported. Every finding becomes a line
 * of the failure report, the ones put right too ({@code recopied}), so that a person sees what the tasks'
 * bookkeeping missed.
 */
final class BatchAudit {
    /** {@code <task>-<16 hex of the content>.jsonl}: the manifest's task is its name without the hash. */
    private static final Pattern MANIFEST_NAME = Pattern.compile("(.+)-[0-9a-f]{16}\\.jsonl");

    /**
     * What one batch's audit found.
     *
     * @param laterVersions entries whose objects hold a later version of the file than planned: right
     */
    record Findings(long checked, long missing, long different, long recopied, long reported, long laterVersions,
            List<FailureReportLine> lines) {

        /** A directory of the source that cannot be listed: its files are unknown, which is reported. */
        static Findings unreadable(String directory, FailureCode code, String message, String holder) {
            FailureReportLine line = new FailureReportLine();
            line.path = directory.isEmpty() ? "/" : directory;
            line.code = code.name();
            line.message = "the audit could not list this directory: " + message;
            line.holder = holder;
            return new Findings(0, 0, 0, 0, 1, 0, List.of(line));
        }
    }

    private final DestinationCheck destination;
    private final FileCopier copier;
    private final Path sourceBase;
    private final String holder;

    BatchAudit(DestinationCheck destination, FileCopier copier, Path sourceBase, String holder) {
        this.destination = destination;
        this.copier = copier;
        this.sourceBase = sourceBase;
        this.holder = holder;
    }

    /** @param task the task that carried the entries (null for a stretch of the source's walk) */
    Findings audit(List<FileEntry> entries, String task) throws InterruptedException {
        long missing = 0;
        long different = 0;
        long recopied = 0;
        long reported = 0;
        long laterVersions = 0;
        List<FailureReportLine> lines = new ArrayList<>();
        for (DestinationCheck.Finding finding : destination.check(entries)) {
            if (finding.problem() == DestinationCheck.Problem.LATER_VERSION) {
                laterVersions++;
                continue;
            }
            if (finding.problem() == DestinationCheck.Problem.MISSING) {
                missing++;
            } else {
                different++;
            }
            FailureReportLine line = new FailureReportLine();
            line.path = finding.entry().path;
            line.task = task;
            line.holder = holder;
            line.audit = finding.problem().name();
            FileOutcome outcome = copyAgain(finding.entry());
            DestinationCheck.Finding after = outcome.kind() == FileOutcome.Kind.FAILED ? finding
                    : destination.recheck(finding.entry());
            if (after == null) {
                recopied++;
                line.recopied = true;
                line.code = codeOf(finding).name();
                line.message = finding.detail() + "; copied again by the audit and found right";
            } else {
                reported++;
                line.recopied = false;
                boolean copyFailed = outcome.kind() == FileOutcome.Kind.FAILED && outcome.code() != null;
                line.code = copyFailed ? outcome.code().name() : codeOf(after).name();
                line.message = finding.detail() + "; copied again by the audit: "
                        + (copyFailed ? outcome.message() : after.detail());
            }
            lines.add(line);
        }
        return new Findings(entries.size(), missing, different, recopied, reported, laterVersions, lines);
    }

    private FileOutcome copyAgain(FileEntry entry) throws InterruptedException {
        Path path;
        try {
            path = SourcePaths.within(sourceBase, entry.readPath());
        } catch (SourcePaths.OutsideSourceException e) {
            return FileOutcome.failed(entry.path, FailureCode.PATH_OUTSIDE_SOURCE, e.getMessage());
        }
        return copier.copy(entry, path);
    }

    private static FailureCode codeOf(DestinationCheck.Finding finding) {
        return finding.problem() == DestinationCheck.Problem.MISSING ? FailureCode.AUDIT_MISSING : FailureCode.AUDIT_MISMATCH;
    }

    /** The task a manifest belongs to, from its key ({@code <task>-<16 hex>.jsonl}). */
    static String taskOf(String manifestKey) {
        String name = manifestKey.substring(manifestKey.lastIndexOf('/') + 1);
        Matcher matcher = MANIFEST_NAME.matcher(name);
        return matcher.matches() ? matcher.group(1) : name;
    }
}
