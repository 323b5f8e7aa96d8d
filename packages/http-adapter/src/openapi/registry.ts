import { limitsSchema, stepResultSchema, submissionResultSchema, submissionSchema, testResultSchema, testSchema } from '@judgekit/core';
import { z } from 'zod';
import { errorSchema } from '../http/schemas.js';
import { listOrGetResponse } from '../v1/listing.js';
import { batchCreateResponse, languageSchema, languagesResponse } from '../v1/schemas.js';

/**
 * @internal
 * The named schemas of the OpenAPI document (`components.schemas`): each route that uses one
 * refers to it by `$ref`, so Swagger UI shows `SubmissionResult` rather than an inline copy. The
 * zod schemas themselves stay where they are; only this registry names them.
 */
export const openApiRegistry = z.registry<{ id: string; description?: string }>();

openApiRegistry.add(submissionSchema, { id: 'Submission', description: 'A submission: a program, its tests and limits.' });
openApiRegistry.add(testSchema, { id: 'Test', description: 'One test: stdin and, optionally, the expected stdout.' });
openApiRegistry.add(limitsSchema, { id: 'Limits', description: 'Resource limits; each at most the configured maximum.' });
openApiRegistry.add(submissionResultSchema, { id: 'SubmissionResult', description: 'A submission’s state and, once done, its verdict.' });
openApiRegistry.add(testResultSchema, { id: 'TestResult', description: 'One test’s verdict and measurements.' });
openApiRegistry.add(stepResultSchema, { id: 'StepResult', description: 'One command’s outcome: exit, output, time, memory.' });
openApiRegistry.add(errorSchema, { id: 'Error', description: 'The error shape of every judgekit route.' });
openApiRegistry.add(languageSchema, { id: 'Language', description: 'A language and its detected toolchain version.' });
openApiRegistry.add(languagesResponse, { id: 'LanguageList' });
openApiRegistry.add(batchCreateResponse, { id: 'BatchCreateResult' });
openApiRegistry.add(listOrGetResponse, { id: 'SubmissionPage' });
