package dev.ferry.worker.copy;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FileEntry;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.worker.source.SourceErrors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of planned entries previewed against the destination as a Copy task would copy them: one
 * listing of the batch's key range, then the same per-file decision ({@link FileCopier}), with nothing
 * written. Stored links and directory markers are small objects written as they are found: they are
 * reported as copies.
 */
public final class DryRun {
    private final CopyEngine engine;
    private final FileCopier copier;

    public DryRun(CopyEngine engine) {
        this.engine = engine;
        this.copier = new FileCopier(engine);
    }

    public List<Preview> preview(Path base, List<FileEntry> batch) {
        ExistingObjects existing = engine.overwrite == OverwritePolicy.Always ? ExistingObjects.UNKNOWN
                : ExistingObjects.list(engine, batch.stream().map(f -> EntryObject.keyOf(engine.prefix, f)).toList());
        List<Preview> previews = new ArrayList<>(batch.size());
        for (FileEntry entry : batch) {
            if (entry.kindOrFile() != EntryKind.File) {
                previews.add(Preview.copy(entry.path, 0, "stored as a small object (" + entry.kindOrFile() + ")"));
                continue;
            }
            try {
                previews.add(copier.preview(entry.path, base.resolve(entry.readPath()), existing));
            } catch (IOException e) {
                previews.add(Preview.leftOut(entry.path, entry.sizeOrZero(),
                        SourceErrors.classify(e).code() + ": " + SourceErrors.classify(e).message()));
            }
        }
        return previews;
    }
}
