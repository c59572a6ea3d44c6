package dev.ferry.api;

/** How an uploaded object is checked against its source file. */
public enum VerifyMode {
    Size, Checksum
}
