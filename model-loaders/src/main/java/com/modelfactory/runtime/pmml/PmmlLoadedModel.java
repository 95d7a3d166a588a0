package com.modelfactory.runtime.pmml;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.pmml4s.model.Model;

/**
 * A PMML model. Each predictor parses its own PMML4S model: PMML4S models were not safe to share between
 * threads (autodeployai/pmml4s#14: nulls and NaNs under concurrent predict), and parsing is cheap next to
 * serving (the 100-tree GBDT fixture: 250 KB).
 */
final class PmmlLoadedModel implements LoadedModel {
    private final Path file;
    private final String modelElement;
    private final PmmlFields fields;
    private final Supplier<Model> parser;
    private Model first;

    PmmlLoadedModel(Path file, String modelElement, Model first, PmmlFields fields, Supplier<Model> parser) {
        this.file = file;
        this.modelElement = modelElement;
        this.first = first;
        this.fields = fields;
        this.parser = parser;
    }

    @Override
    public Signature signature() {
        return fields.signature();
    }

    @Override
    public String engine() {
        return "pmml4s";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pmml_model", modelElement);
        d.put("pmml_file", file.getFileName().toString());
        return d;
    }

    @Override
    public Optional<TabularSchema> tabular() {
        return Optional.of(fields.schema());
    }

    @Override
    public Map<String, InputValidation.Rule> inputRules() {
        Map<String, InputValidation.Rule> rules = new LinkedHashMap<>();
        for (TensorSpec in : fields.signature().inputs()) {
            rules.put(in.name(), InputValidation.Rule.COLUMN);
        }
        return rules;
    }

    @Override
    public synchronized Predictor newPredictor() {
        Model model = first != null ? first : parser.get();
        first = null;
        return new PmmlPredictor(model, fields);
    }

    @Override
    public void close() {
        first = null;
    }

    static boolean bytes(TensorSpec spec) {
        return spec.dataType() == DataType.BYTES;
    }
}
