package dev.ferry.worker.copy;

/**
 * A copy stopped part-way because its task must stop (worker shutdown, the task was lost, or another
 * file of the task met a store failure). The file gets no outcome: its multipart upload is left in
 * place with the parts already stored, for the next holder to verify and reuse.
 */
public final class CopyHalted extends RuntimeException {
    public CopyHalted(String what) {
        super(what, null, false, false);
    }
}
