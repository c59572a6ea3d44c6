package dev.ferry.worker.copy;

import dev.ferry.api.FileEntry;
import dev.ferry.api.events.EventType;
import dev.ferry.worker.events.FileFacts;
import dev.ferry.worker.events.TaskEvents;
import java.util.concurrent.CompletableFuture;

/** A file's outcome as its event: copied, skipped or failed, with what is known of its object. */
final class CopyEvents {
    private CopyEvents() {
    }

    static CompletableFuture<Void> of(TaskEvents events, CopyEngine engine, FileEntry entry, FileOutcome outcome,
                                      long durationMs) {
        EventType type = switch (outcome.kind()) {
            case COPIED -> EventType.FILE_COPIED;
            case SKIPPED -> EventType.FILE_SKIPPED;
            case FAILED -> EventType.FILE_FAILED;
        };
        FileOutcome.StoredObject object = outcome.object();
        FileFacts facts = new FileFacts(object == null ? null : object.md5Hex(), object == null ? null : object.eTag(),
                object == null ? null : object.endpoint(), durationMs,
                outcome.code() == null ? null : outcome.code().name(), outcome.message());
        return events.file(entry, EntryObject.keyOf(engine.prefix, entry), type, facts);
    }
}
