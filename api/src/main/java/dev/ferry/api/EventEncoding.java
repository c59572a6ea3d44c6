package dev.ferry.api;

/** How a CloudEvent travels in a Kafka record (CloudEvents Kafka protocol binding). */
public enum EventEncoding {
    /** The whole event as JSON in the record value, {@code content-type: application/cloudevents+json}. */
    Structured,
    /** The data in the value, the attributes as {@code ce_*} headers (consumers can deduplicate on {@code ce_id}). */
    Binary
}
