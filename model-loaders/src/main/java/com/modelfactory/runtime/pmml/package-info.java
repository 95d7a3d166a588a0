/**
 * PMML behind the engine seam, evaluated by PMML4S (Apache-2.0; JPMML-Evaluator is AGPL-3.0 and must not
 * ship). A PMML model is tabular: every input field is a column tensor, one value per record, and every
 * output field a column of answers, described by the model's {@link com.modelfactory.runtime.engine.TabularSchema}.
 */
package com.modelfactory.runtime.pmml;
