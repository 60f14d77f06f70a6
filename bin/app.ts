#!/usr/bin/env node
// Entry point of `cdk synth` / `cdk deploy` (see cdk.json). Stage from `-c stage=<name>`, default dev.
import { buildApp } from '#lib/app';

buildApp().app.synth();
