package com.modelfactory.runtime.pmml;

import com.modelfactory.runtime.engine.Engine;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.nio.file.Path;
import java.util.Set;
import org.pmml4s.model.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PMML 4.x documents, evaluated on the CPU by PMML4S. */
public final class PmmlEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(PmmlEngine.class);

    @Override
    public String name() {
        return "pmml4s";
    }

    @Override
    public String libraryClass() {
        return "org.pmml4s.model.Model";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.PMML);
    }

    @Override
    public LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        Path file = options.modelFile("PMML document");
        byte[] document;
        try {
            document = java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        // checked and parsed from the same bytes: every worker's copy is the document that was checked
        String element = PmmlDocument.check(file.getFileName().toString(), document);
        Model model = parse(file, document);
        PmmlFields fields = PmmlFields.of(model);
        if (fields.signature().inputs().isEmpty()) {
            throw new ModelLoadException(file.getFileName() + ": the PMML <" + element + "> has no active input field");
        }
        log.info("PMML {} loaded: <{}> with inputs {} and outputs {}", file.getFileName(), element,
                fields.signature().inputs(), fields.signature().outputs());
        return new PmmlLoadedModel(file, element, model, fields, () -> {
            try {
                return parse(file, document);
            } catch (ModelLoadException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private static Model parse(Path file, byte[] document) throws ModelLoadException {
        try {
            return Model.fromInputStream(new java.io.ByteArrayInputStream(document));
        } catch (RuntimeException | LinkageError e) {
            throw new ModelLoadException(file.getFileName() + ": PMML4S cannot read this PMML document: " + e, e);
        }
    }
}
