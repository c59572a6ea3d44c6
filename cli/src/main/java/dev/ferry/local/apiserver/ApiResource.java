package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One resource type the local API serves, as discovery, OpenAPI and table printing need it: a
 * built-in or a version of a stored CRD. {@code group} is empty for the core group.
 */
public record ApiResource(String group, String version, String plural, String singular, String kind,
        boolean namespaced, List<String> shortNames, List<String> categories, List<String> verbs,
        boolean statusSubresource, List<PrinterColumn> printerColumns, JsonNode schema) {

    static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    static final List<String> CREATE_ONLY = List.of("create");

    public String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public boolean supports(String verb) {
        return verbs.contains(verb);
    }
}
