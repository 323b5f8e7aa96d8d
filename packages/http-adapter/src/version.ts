/** Version of @judgekit/http-adapter, shown in the OpenAPI document. */
export const adapterVersion = '0.1.0';
