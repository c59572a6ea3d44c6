package dev.ferry.api;

/** What to do when an object already exists at a file's key. */
public enum OverwritePolicy {
    IfDifferent, Always, Never
}
