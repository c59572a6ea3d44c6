package dev.ferry.operator.validation;

/** A problem with a job's spec that the CRD schema cannot see; retrying does not fix it, the user does. */
public record InvalidSpec(String message) {
    /** The Ready condition's reason for every invalid spec; the message names the problem. */
    public static final String REASON = "InvalidSpec";
}
