package com.modelfactory.runtime.fetch;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The model store's download URL from the template: placeholders replaced, values URL-encoded. */
final class StoreUrl {
    private StoreUrl() {
    }

    /** How template values are encoded: URL encoding, spaces as %20 (they may sit in a path). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static URI build(AcquisitionSettings s, Redactor redactor) throws ModelAcquisitionException {
        if (s.modelId() == null || s.modelVersion() == null) {
            throw new ModelAcquisitionException("XQUERY_ADDR is set (" + s.storeAddress()
                    + ") but MODEL_ID and MODEL_VERSION are required to download from the model store"
                    + (s.modelId() == null ? "; MODEL_ID is missing" : "")
                    + (s.modelVersion() == null ? "; MODEL_VERSION is missing" : ""));
        }
        String base = s.storeAddress().trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.contains("://")) {
            base = "http://" + base; // the legacy XQUERY_ADDR was often host:port
        }
        String url = s.urlTemplate();
        // The base is a URL already; the other values are query or path parts and are encoded.
        url = url.replace("{XQUERY_ADDR}", base);
        for (Map.Entry<String, String> e : Map.of(
                "{MODEL_ID}", s.modelId(),
                "{MODEL_VERSION}", s.modelVersion(),
                "{GUID}", s.guid() == null ? "" : s.guid()).entrySet()) {
            url = url.replace(e.getKey(), encode(e.getValue()));
        }
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL with a host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ModelAcquisitionException("MODEL_URL_TEMPLATE/XQUERY_ADDR give an invalid URL "
                    + redactor.url(url) + ": " + redactor.text(e.getMessage()));
        }
    }
}
