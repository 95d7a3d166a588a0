/**
 * Getting the model onto local disk: the first step of start-up (fetch, then find and detect, then load).
 *
 * <p>{@link com.modelfactory.runtime.fetch.ModelAcquirer#acquire} is the one entry point. It takes an
 * {@link com.modelfactory.runtime.fetch.AcquisitionSettings} (a plain record the server's typed
 * configuration maps onto) and an {@link com.modelfactory.runtime.fetch.AcquisitionListener} (the server's
 * metrics), and returns an {@link com.modelfactory.runtime.fetch.AcquiredModel}: the path the engine loads,
 * the format and why, the redacted source and the cache key. Downloads and archives end up under MODEL_DIR,
 * written to a temporary folder there and renamed into place only when complete and checked.
 * Nothing here knows HTTP servers, metrics libraries or engines.
 */
package com.modelfactory.runtime.fetch;
